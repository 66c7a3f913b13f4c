"""Extreme values from a request, a file or an old database answer a 4xx with a message, never
a 500: dates the calendar can't express, page numbers and ids past any integer the database
holds, versions that are not whole numbers, a returned export's forged change mark, and undoing
an import whose programs `tracker demo --force` deleted."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.db import db
from tracker.models import Change, ImportBatch, Program

HUGE = "99999999999999999999"


@pytest.fixture
def served(app):
    """Exceptions become the answers a user would get (a 500 page), not test errors."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_dates_the_calendar_cannot_express_leave_their_events_out_and_the_rest_is_served(
        served, client, make_program):
    far = make_program(name="Far Future Program")
    make_program(name="Near Program", follow_up_on=dt.date(2026, 10, 1))
    with served.app_context():  # stored by an older tracker, or brought back by a restore
        db.session.execute(sa.update(Program).where(Program.id == far).values(
            follow_up_on=dt.date(9999, 12, 31), interview_date=dt.datetime(9999, 12, 31, 23, 30)))
        db.session.commit()
    page = client.get("/calendar")
    assert page.status_code == 200
    feed = page.get_data(as_text=True).split('value="http://localhost/calendar/')[1].split('"')[0]
    for url in ("/calendar.ics", f"/calendar/{feed}"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        body = answer.get_data(as_text=True)
        assert "Follow up: Near Program" in body and "Far Future Program" not in body


def test_a_date_past_what_the_calendar_expresses_is_refused_when_typed(client, make_program):
    pid = make_program()
    for key in ("follow_up_on", "interview_date"):
        refused = client.post(f"/programs/{pid}/cells/{key}", data={"value": "9999-12-31", "version": 1})
        assert refused.status_code == 422 and "9999" in refused.get_data(as_text=True)


@pytest.mark.parametrize("page", [HUGE, "-3", "0", "abc", "1e3"])
def test_a_page_number_that_is_no_page_is_a_400_with_a_message(served, client, make_program, page):
    make_program()
    answer = client.get(f"/?page={page}")
    assert answer.status_code == 400 and "page" in answer.get_data(as_text=True)


def test_a_page_past_the_last_is_still_an_empty_page(client, make_program):
    make_program()
    assert client.get("/?page=5000").status_code == 200


@pytest.mark.parametrize("version", ["abc", "1e3", "", "-1", HUGE])
def test_a_program_form_with_a_version_that_is_not_a_whole_number_is_refused(
        served, client, make_program, read_program, version):
    pid = make_program(city="Toledo")
    answer = client.post(f"/programs/{pid}", data={"version": version, "name": "Renamed", "city": "Erie"})
    assert answer.status_code in (400, 409)
    assert "version" in answer.get_data(as_text=True) or answer.status_code == 409
    assert read_program(pid)["city"] == "Toledo"


@pytest.mark.parametrize("url", [f"/programs/{HUGE}", f"/imports/{HUGE}", f"/seasons/{HUGE}/analysis",
                                 f"/programs/{HUGE}/cells/city"])
def test_an_id_past_any_stored_integer_is_not_found(served, client, url):
    assert client.get(url).status_code == 404


def test_a_bulk_edit_naming_an_id_past_any_stored_integer_changes_nothing(served, client, make_program,
                                                                           read_program):
    pid = make_program()
    answer = client.post("/programs/bulk", data={"change": "status:applied", "ids": [HUGE, str(2**63)]})
    assert answer.status_code == 400 and read_program(pid)["status"] != "applied"


def _returned_export(client, mark) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/export.xlsx?tier=all").data))
    hidden = wb["_tracker"]
    assert hidden.cell(4, 1).value == "change mark"
    hidden.cell(4, 2).value = mark
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("mark", [1e20, 10**9, -1])
def test_a_returned_export_with_a_forged_change_mark_is_refused(served, client, make_program, mark):
    make_program(city="Toledo")
    data = _returned_export(client, mark)
    answer = client.post("/imports", data={"file": (io.BytesIO(data), "back.xlsx")},
                         content_type="multipart/form-data")
    assert answer.status_code == 422 and "change mark" in answer.get_data(as_text=True)
    with served.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 0


def test_a_forged_change_mark_is_refused_by_tracker_import_too(app, client, runner, make_program, tmp_path):
    make_program(city="Toledo")
    path = tmp_path / "back.xlsx"
    path.write_bytes(_returned_export(client, 10**9))
    result = runner.invoke(args=["import", str(path), "--yes"])
    assert result.exit_code != 0 and "change mark" in result.output


def test_undoing_an_import_after_demo_force_is_a_4xx(served, client, runner, tmp_path):
    csv = tmp_path / "mine.csv"
    csv.write_text("Program Name,City\nLakeview Program,Toledo\n", encoding="utf-8")
    assert runner.invoke(args=["import", str(csv), "--yes"]).exit_code == 0
    with served.app_context():
        batch = db.session.scalar(sa.select(ImportBatch.id))
    assert runner.invoke(args=["demo", "--force"]).exit_code == 0
    assert client.get(f"/imports/{batch}/undo").status_code in (404, 409)
    answer = client.post(f"/imports/{batch}/undo")
    assert answer.status_code in (404, 409)
    with served.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)) == 40
        assert not db.session.scalar(sa.select(sa.func.count()).select_from(Change).where(Change.source == "undo"))
