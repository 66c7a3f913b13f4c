"""A program the file holds in several rows: grouped in the preview, imported once (merged by
default, or the row the user picks), on the web and from `tracker import`; a refusal while
applying or undoing is a message and changes nothing."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.db import db
from tracker.models import Change, ImportBatch, Program

from test_imports import counts_in, import_file, programs

REPEATED_CODE = (
    "Program name,Program code,City,State,Positions,% IMG,Website\n"
    "Riverside Medical Center Program,1903140C0,Riverside,CA,10,,\n"
    "Lakeview Program,2002120C0,Lakeview,OH,6,40,\n"
    "Riverside Medical Center (Internal Medicine),1903140C0,Riverside,CA,12,55,https://riverside.example.org\n"
)


def test_a_repeated_code_is_one_program_in_the_preview_and_applies_merged(app, client):
    preview, batch_id = import_file(client, Path("list.csv"), data=REPEATED_CODE.encode())
    assert counts_in(preview)["new"] == 2 and counts_in(preview)["can't be imported"] == 0
    assert "Repeated programs (1)" in preview and "Same program code 1903140C0" in preview
    assert re.search(r"<b>Positions</b>: row 2 “10”; row 4 “12”", preview)
    applied = client.post(f"/imports/{batch_id}/apply", data={})
    assert applied.status_code == 302
    riverside = next(p for p in programs(app) if p.program_code == "1903140C0")
    assert len(programs(app)) == 2
    # the earlier row's values, the later row's filling its blanks
    assert (riverside.name, riverside.positions) == ("Riverside Medical Center Program", 10)
    assert (riverside.img_percent, riverside.website) == (55, "https://riverside.example.org")


def test_the_user_can_import_one_of_the_rows_instead(app, client):
    preview, batch_id = import_file(client, Path("list.csv"), data=REPEATED_CODE.encode())
    assert 'name="repeat-2" value="merge" checked' in preview and 'name="repeat-2" value="4"' in preview
    shown = client.get(f"/imports/{batch_id}/preview?repeat-2=4").get_data(as_text=True)
    assert 'name="repeat-2" value="4" checked' in shown and "row 4 only" in shown
    assert client.post(f"/imports/{batch_id}/apply", data={"repeat-2": "4"}).status_code == 302
    riverside = next(p for p in programs(app) if p.program_code == "1903140C0")
    assert (riverside.name, riverside.positions, riverside.img_percent) == (
        "Riverside Medical Center (Internal Medicine)", 12, 55)


def test_code_less_rows_of_one_name_city_and_state_are_one_program_and_other_cities_are_not(app, client):
    csv = ("Program name,City,State,Positions,Step 2 CK minimum\n"
           "Lakeview Family Medicine,Lakeview,OH,6,\n"
           "Lakeview Family Medicine,Springfield,OH,4,\n"
           "lakeview  family medicine,Lakeview,OH,,220\n")
    preview, batch_id = import_file(client, Path("list.csv"), data=csv.encode())
    assert "Repeated programs (1)" in preview and "Same name, city and state" in preview
    client.post(f"/imports/{batch_id}/apply", data={})
    stored = sorted((p.city, p.positions, p.step2_min) for p in programs(app))
    assert stored == [("Lakeview", 6, 220), ("Springfield", 4, None)]


def test_categorical_and_preliminary_codes_of_one_hospital_stay_two_programs(app, client):
    csv = ("Program name,Program code,City,State,Track\n"
           "Riverside Internal Medicine,1903140C0,Riverside,CA,Categorical\n"
           "Riverside Internal Medicine,1903140P0,Riverside,CA,Preliminary\n")
    preview, batch_id = import_file(client, Path("list.csv"), data=csv.encode(), apply={})
    assert "Repeated programs" not in preview
    assert sorted(p.program_code for p in programs(app)) == ["1903140C0", "1903140P0"]


def test_a_repeat_of_a_stored_program_updates_it_once(app, client, make_program, read_program):
    pid = make_program(name="Lakeview Program", state="OH", city="Lakeview")
    csv = ("Program name,City,State,Positions,% IMG\n"
           "Lakeview Program,Lakeview,OH,6,\nLakeview Program,Lakeview,OH,7,30\n")
    preview, batch_id = import_file(client, Path("list.csv"), data=csv.encode())
    assert counts_in(preview)["changed"] == 1 and "Same program as row" not in preview
    assert client.post(f"/imports/{batch_id}/apply", data={}).status_code == 302
    assert (read_program(pid)["positions"], read_program(pid)["img_percent"]) == (6, 30)
    assert len(programs(app)) == 1


def test_tracker_import_yes_applies_a_repeated_code_and_can_take_the_later_row(app, runner, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(REPEATED_CODE, encoding="utf-8")
    shown = runner.invoke(args=["import", str(path), "--dry-run"])
    assert shown.exit_code == 0, shown.output
    assert "rows 2, 4: one program (same program code 1903140C0), merged" in shown.output
    result = runner.invoke(args=["import", str(path), "--yes", "--repeated", "later"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "Imported 2 new programs" in result.output
    riverside = next(p for p in programs(app) if p.program_code == "1903140C0")
    assert (riverside.positions, riverside.name) == (12, "Riverside Medical Center (Internal Medicine)")


def test_a_refusal_while_applying_is_a_message_and_nothing_is_applied(app, client, monkeypatch):
    from tracker.changes import ValidationFailed
    from tracker.importing import apply as applying

    preview, batch_id = import_file(client, Path("list.csv"), data=REPEATED_CODE.encode())
    real = applying.create_program
    made = []

    def refuse_the_second(values, **kwargs):
        if made:
            raise ValidationFailed({"program_code": "Program code 2002120C0 already belongs to Elsewhere."})
        made.append(values)
        return real(values, **kwargs)

    monkeypatch.setattr(applying, "create_program", refuse_the_second)
    response = client.post(f"/imports/{batch_id}/apply", data={})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Row 3 (“Lakeview Program”) was refused" in body and "Nothing was changed." in body
    assert programs(app) == []
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status == "draft"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Change)) == 0


def test_nothing_to_change_offers_no_apply_and_records_no_import(app, client):
    import_file(client, Path("list.csv"), data=REPEATED_CODE.encode(), apply={})
    preview, batch_id = import_file(client, Path("list.csv"), data=REPEATED_CODE.encode())
    assert counts_in(preview)["unchanged"] == 2
    assert "Apply the import" not in preview and "Nothing to import" in preview
    response = client.post(f"/imports/{batch_id}/apply", data={})
    assert response.status_code == 409 and "Nothing to import" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status == "draft"


def test_undo_of_an_import_whose_old_code_another_program_took_since_keeps_it_and_says_so(app, client, runner,
                                                                                         make_program):
    pid = make_program(name="Lakeview Program", state="OH", program_code="1111111111")
    response = client.get("/export.xlsx?tier=all")
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = wb["Programs"]
    col = [c.value for c in ws[1]].index("Program code") + 1
    ws.cell(2, col).value = "2222222222"
    out = io.BytesIO()
    wb.save(out)
    _, batch_id = import_file(client, Path("back.xlsx"), data=out.getvalue(), apply={})
    assert next(p for p in programs(app) if p.id == pid).program_code == "2222222222"
    make_program(name="Another Program", state="TX", program_code="1111111111")  # the old code, taken since

    page = client.get(f"/imports/{batch_id}/undo")
    assert page.status_code == 200
    assert "its code 1111111111 now belongs to “Another Program”" in page.get_data(as_text=True)
    undone = client.post(f"/imports/{batch_id}/undo")
    assert undone.status_code == 302
    assert next(p for p in programs(app) if p.id == pid).program_code == "2222222222"


def test_a_refused_undo_is_a_message_and_undoes_nothing(app, client, monkeypatch, read_program):
    from tracker.changes import ValidationFailed
    from tracker.importing import apply as applying

    csv = "Program name,State,Positions\nLakeview Program,OH,6\n"
    pid_program = None
    _, first = import_file(client, Path("a.csv"), data=csv.encode(), apply={})
    _, batch_id = import_file(client, Path("b.csv"), data=csv.replace(",6", ",8").encode(), apply={})
    pid_program = programs(app)[0].id

    def refuse(*args, **kwargs):
        raise ValidationFailed({"positions": "Positions: refused."})

    monkeypatch.setattr(applying, "update_program", refuse)
    response = client.post(f"/imports/{batch_id}/undo")
    assert response.status_code == 409 and "was refused" in response.get_data(as_text=True)
    assert read_program(pid_program)["positions"] == 8
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status == "applied"


def test_tracker_import_takes_mapping_choices_and_keeps_unmapped_columns(app, runner, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Hospital,State,Vibe,Spots\nLakeview Program,OH,friendly,6\n", encoding="utf-8")
    shown = runner.invoke(args=["import", str(path), "--dry-run"])
    ignored = next(line for line in shown.output.splitlines() if line.startswith("Ignored columns:"))
    assert "Vibe" in ignored and "--keep-unmapped" in ignored
    wrong = runner.invoke(args=["import", str(path), "--map", "Nope=name"])
    assert wrong.exit_code == 1 and "no column is headed “Nope”" in wrong.output
    result = runner.invoke(args=["import", str(path), "--map", "Hospital=name", "--map", "spots=Positions",
                                 "--keep-unmapped", "--yes"])
    assert result.exit_code == 0, result.output
    [program] = programs(app)
    assert (program.name, program.positions, program.notes) == ("Lakeview Program", 6, "Vibe: friendly")


def test_after_undoing_an_import_the_same_file_imports_again_and_undoes_again(app, client):
    _, first = import_file(client, Path("list.csv"), data=REPEATED_CODE.encode(), apply={})
    assert client.post(f"/imports/{first}/undo").status_code == 302
    assert programs(app) == []
    preview, second = import_file(client, Path("list.csv"), data=REPEATED_CODE.encode())
    assert counts_in(preview)["new"] == 2 and counts_in(preview)["can't be imported"] == 0
    assert client.post(f"/imports/{second}/apply", data={}).status_code == 302
    assert sorted(p.program_code for p in programs(app)) == ["1903140C0", "2002120C0"]
    assert client.post(f"/imports/{second}/undo").status_code == 302
    assert programs(app) == []
