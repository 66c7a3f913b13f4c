"""A mentor's returned copy of an export: what the mentor typed in the % IMG and Tier columns,
and the cells the mentor emptied, as the preview's plan shows them."""

import io

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.db import db
from tracker.importing.apply import existing_programs
from tracker.importing.drafts import detect
from tracker.importing.mapping import convert_rows
from tracker.importing.plan import make_plan
from tracker.importing.read import read_file
from tracker.models import Program


@pytest.fixture
def demo(app, runner):
    runner.invoke(args=["demo"])


def exported(client) -> openpyxl.Workbook:
    response = client.get("/export.xlsx?tier=all")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


def plan_of(app, wb: openpyxl.Workbook):
    out = io.BytesIO()
    wb.save(out)
    with app.app_context():
        sheet, header_row, columns, info = detect(read_file(out.getvalue(), "back.xlsx"))
        assert info is not None
        return make_plan(convert_rows(sheet, header_row, columns), existing_programs(info.change_mark))


def column(ws, header: str) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def test_a_mentor_typing_35_in_the_img_column_changes_that_row_only(app, client, demo):
    wb = exported(client)
    ws = wb["Programs"]
    img = column(ws, "IMG residents %")
    fractions = [ws.cell(r, img).value for r in range(2, ws.max_row + 1) if ws.cell(r, img).value is not None]
    assert len(fractions) > 10 and all(0 <= v <= 1 for v in fractions)
    r = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, img).value not in (None, 0.35))
    ws.cell(r, img).value = 35
    plan = plan_of(app, wb)
    changed = [p for p in plan.rows if p.changes]
    assert [(p.line, [(c.key, c.new) for c in p.changes]) for p in changed] == [(r, [("img_percent", 35)])]


def test_a_tier_changed_by_the_mentor_is_set_by_hand_and_an_unchanged_one_is_nothing(app, client, demo):
    wb = exported(client)
    ws = wb["Programs"]
    tier, ident = column(ws, "Tier"), column(ws, "Tracker ID")
    shown = ws.cell(2, tier).value
    other = "Reach" if shown != "Reach" else "Likely"
    ws.cell(2, tier).value = other
    ws.cell(3, tier).value = ws.cell(3, tier).value.upper()  # the same tier, typed again
    plan = plan_of(app, wb)
    changed = [p for p in plan.rows if p.changes]
    assert len(changed) == 1 and changed[0].program_id == ws.cell(2, ident).value
    assert [(c.key, c.old, c.new) for c in changed[0].changes] == [("tier_override", None, other.lower())]


def test_a_cell_the_mentor_cleared_is_shown_and_not_applied(app, client, demo):
    wb = exported(client)
    ws = wb["Programs"]
    city, ident = column(ws, "City"), column(ws, "Tracker ID")
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, city).value)
    was = ws.cell(row, city).value
    ws.cell(row, city).value = None
    plan = plan_of(app, wb)
    planned = plan.by_line()[row]
    assert planned.kind == "unchanged" and planned.program_id == ws.cell(row, ident).value
    assert planned.messages == [f"City: cleared by the mentor, not applied (the tracker keeps “{was}”; a blank "
                                "cell never erases)."]
    assert sum(bool(p.messages) for p in plan.rows) == 1
    with app.app_context():
        assert db.session.get(Program, planned.program_id).city == was


def test_a_cell_filled_in_the_tracker_since_the_export_is_not_called_cleared(app, client, demo):
    wb = exported(client)
    ws = wb["Programs"]
    city, ident = column(ws, "City"), column(ws, "Tracker ID")
    row = 2
    ws.cell(row, city).value = None
    pid = ws.cell(row, ident).value
    with app.app_context():
        from tracker.changes import update_program

        update_program(db.session.get(Program, pid), {"city": "Springfield"})  # after the export
        db.session.commit()
    assert not plan_of(app, wb).by_line()[row].messages
    with app.app_context():
        assert db.session.scalar(sa.select(Program.city).where(Program.id == pid)) == "Springfield"
