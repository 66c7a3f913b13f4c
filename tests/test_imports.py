"""Importing spreadsheets over HTTP: upload, mapping, preview, apply, re-import, undo, bad files."""

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.db import db
from tracker.models import Change, ImportBatch, Program

from forms import mapping_form
from samples import sample as fixture


def upload(client, path: Path, data: bytes | None = None, name: str | None = None):
    payload = data if data is not None else path.read_bytes()
    return client.post("/imports", data={"file": (io.BytesIO(payload), name or path.name)},
                       content_type="multipart/form-data")


def import_file(client, path: Path, *, apply: dict | None = None, data: bytes | None = None):
    """Upload, accept the suggested mapping, return (preview page, batch id); apply when asked."""
    uploaded = upload(client, path, data)
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    mapping_url = uploaded.headers["Location"]
    batch_id = int(re.search(r"/imports/(\d+)/", mapping_url).group(1))
    page = client.get(mapping_url).get_data(as_text=True)
    mapped = client.post(mapping_url, data=mapping_form(page))
    assert mapped.status_code == 302, mapped.get_data(as_text=True)
    preview = client.get(mapped.headers["Location"]).get_data(as_text=True)
    if apply is not None:
        applied = client.post(f"/imports/{batch_id}/apply", data=apply)
        assert applied.status_code == 302
    return preview, batch_id


def counts_in(preview: str) -> dict:
    return {kind: int(n) for n, kind in re.findall(
        r'<span class="pill[^"]*">(\d+) (new|changed|with conflicts|unchanged|can\'t be imported)</span>', preview)}


def programs(app) -> list[Program]:
    with app.app_context():
        db.session.expire_all()
        return db.session.scalars(sa.select(Program).where(Program.deleted_at.is_(None)).order_by(Program.id)).all()


@pytest.mark.parametrize("name, new", [
    ("freida_export_sample.xlsx", 120),
    ("freida_export_sample.csv", 120),
    ("my_program_list.xlsx", 40),
    ("bad/cp1252_semicolon.csv", 2),
    ("bad/formula_and_script_injection.csv", 4),
])
def test_every_sample_file_imports_with_the_expected_counts(app, client, name, new):
    preview, batch_id = import_file(client, fixture(name), apply={})
    assert counts_in(preview)["new"] == new
    assert counts_in(preview)["can't be imported"] == 0
    assert len(programs(app)) == new
    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        assert (batch.status, batch.counts["created"]) == ("applied", new)
        logged = db.session.scalar(sa.select(sa.func.count()).select_from(Change)
                                   .where(Change.batch_id == batch.batch_id, Change.source == "import"))
        assert logged >= new


def test_freida_values_are_normalised_through_the_catalogue(app, client):
    import_file(client, fixture("freida_export_sample.xlsx"), apply={})
    by_code = {p.program_code: p for p in programs(app)}
    gary = by_code["1205279348"]  # Visa "None", % IMG 0, Step 2 "245", "Within 3 years", "No limit"
    assert (gary.visa_j1, gary.visa_h1b, gary.img_percent, gary.step2_min) == ("no", "no", 0.0, 245)
    assert (gary.yog_limit_years, gary.max_attempts, gary.setting, gary.positions) == (3, None, "other", 30)
    macon = by_code["1401154433"]  # "J-1; H-1B", 0.5, "Community-based, university-affiliated"
    assert (macon.visa_j1, macon.visa_h1b, macon.img_percent) == ("yes", "yes", 50.0)
    assert (macon.setting, macon.usce_required, macon.max_attempts) == ("university_affiliated", "preferred", 1)
    joliet = by_code["4008260626"]  # "H-1B" only
    assert (joliet.visa_j1, joliet.visa_h1b, joliet.specialty) == ("no", "yes", "psychiatry")
    assert all(p.tier for p in programs(app))  # tiered as they arrive


def test_the_applicants_own_list_finds_its_header_below_the_title(app, client):
    page = client.get(upload(client, fixture("my_program_list.xlsx")).headers["Location"]).get_data(as_text=True)
    assert 'name="header_row" value="3"' in page
    # its "Tier" column becomes tiers set by hand only when the user maps it so (issue 16)
    assert re.search(r'<select id="col-7" name="col-7">.*?<option value="" selected>', page, re.S)
    assert re.search(r'<select id="col-13" name="col-13">.*?<option value="mentor_comments" selected>', page, re.S)


def test_reimporting_the_same_file_changes_nothing(app, client):
    import_file(client, fixture("freida_export_sample.xlsx"), apply={})
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Change))
    preview, batch_id = import_file(client, fixture("freida_export_sample.xlsx"))
    assert counts_in(preview) == {"new": 0, "changed": 0, "with conflicts": 0, "unchanged": 120,
                                  "can't be imported": 0}
    assert "Apply the import" not in preview  # nothing to apply: no empty import is recorded
    assert client.post(f"/imports/{batch_id}/apply", data={}).status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Change)) == before


def test_a_user_edit_then_reimport_gives_exactly_one_conflict_kept_by_default(app, client):
    import_file(client, fixture("freida_export_sample.xlsx"), apply={})
    gary = next(p for p in programs(app) if p.program_code == "1205279348")
    client.post(f"/programs/{gary.id}/cells/positions", data={"value": "31", "version": gary.version})

    preview, batch_id = import_file(client, fixture("freida_export_sample.xlsx"))
    assert counts_in(preview)["with conflicts"] == 1 and counts_in(preview)["unchanged"] == 119
    assert re.search(r"<b>Positions</b>:\s*<del>31</del> → <ins>30</ins>", preview)
    client.post(f"/imports/{batch_id}/apply", data={})
    assert next(p for p in programs(app) if p.id == gary.id).positions == 31


def test_a_conflict_can_take_the_files_value(app, client):
    import_file(client, fixture("freida_export_sample.xlsx"), apply={})
    gary = next(p for p in programs(app) if p.program_code == "1205279348")
    client.post(f"/programs/{gary.id}/cells/positions", data={"value": "31", "version": gary.version})
    preview, batch_id = import_file(client, fixture("freida_export_sample.xlsx"))
    take = re.search(r'name="take" value="(\d+:positions)"', preview).group(1)
    client.post(f"/imports/{batch_id}/apply", data={"take": take})
    assert next(p for p in programs(app) if p.id == gary.id).positions == 30


def test_blank_cells_never_clobber_stored_values(app, client, make_program, read_program):
    pid = make_program(name="Lakeview Program", state="WV", program_code="3002423915", city="Lakeview",
                       img_percent=35, step2_min=240)
    csv = "Program code,Program Name,City,% IMG,Step 2 CK minimum\n3002423915,Lakeview Program,,,245\n"
    preview, batch_id = import_file(client, Path("list.csv"), data=csv.encode())
    client.post(f"/imports/{batch_id}/apply", data={})
    stored = read_program(pid)
    assert (stored["city"], stored["img_percent"]) == ("Lakeview", 35)
    assert stored["step2_min"] == 240  # set by a person: a conflict, kept by default
    assert "with conflicts" in preview and counts_in(preview)["with conflicts"] == 1


def test_rows_can_be_left_out(app, client):
    preview, batch_id = import_file(client, fixture("bad/cp1252_semicolon.csv"))
    first = re.search(r'name="exclude" value="(\d+)"', preview).group(1)
    client.post(f"/imports/{batch_id}/apply", data={"exclude": first})
    assert [p.name for p in programs(app)] == ["San José Community"]


def test_matching_by_name_and_state_and_possibly_the_same(app, client, make_program, read_program):
    same = make_program(name="San José Community", state="CA")
    make_program(name="Hospital Universite de Montreal affiliates", state="QC" if False else "NY")
    preview, batch_id = import_file(client, fixture("bad/cp1252_semicolon.csv"))
    assert counts_in(preview)["changed"] == 1  # San José matched by name + state, gains its visas
    assert "Possibly the same program as" in preview  # Montréal: close name, never merged
    client.post(f"/imports/{batch_id}/apply", data={})
    assert read_program(same)["visa_h1b"] == "yes"
    assert len(programs(app)) == 3


def test_undo_restores_changes_and_removes_created_programs_except_edited_ones(app, client, make_program,
                                                                              read_program):
    kept = make_program(name="San José Community", state="CA")  # sponsorship unknown
    _, batch_id = import_file(client, fixture("bad/cp1252_semicolon.csv"), apply={})
    montreal = next(p for p in programs(app) if "Montréal" in p.name)
    assert (read_program(kept)["visa_j1"], read_program(kept)["visa_h1b"]) == ("yes", "yes")

    page = client.get(f"/imports/{batch_id}/undo").get_data(as_text=True)
    assert "changes will be undone" in page
    assert client.post(f"/imports/{batch_id}/undo").status_code == 302

    assert (read_program(kept)["visa_j1"], read_program(kept)["visa_h1b"]) == ("unknown", "unknown")
    assert read_program(montreal.id)["deleted_at"] is not None
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status == "undone"


def test_undo_keeps_what_was_edited_since(app, client, read_program):
    _, batch_id = import_file(client, fixture("bad/cp1252_semicolon.csv"), apply={})
    edited = programs(app)[0]
    client.post(f"/programs/{edited.id}/cells/city", data={"value": "Montréal", "version": edited.version})
    page = client.get(f"/imports/{batch_id}/undo").get_data(as_text=True)
    assert "edited since the import" in page
    client.post(f"/imports/{batch_id}/undo")
    assert read_program(edited.id)["deleted_at"] is None
    assert len(programs(app)) == 1


def test_a_remembered_mapping_is_reused_for_the_same_headers(app, client):
    first = upload(client, fixture("bad/cp1252_semicolon.csv")).headers["Location"]
    page = client.get(first).get_data(as_text=True)
    form = mapping_form(page)
    form["col-2"] = "keep"  # keep the Visa column in notes instead
    client.post(first, data=form)
    second = upload(client, fixture("bad/cp1252_semicolon.csv")).headers["Location"]
    page = client.get(second).get_data(as_text=True)
    assert re.search(r'<select id="col-2" name="col-2">.*?<option value="keep" selected>', page, re.S)
    assert "as last time" in page


def test_hostile_cells_import_as_inert_text(app, client):
    preview, _ = import_file(client, fixture("bad/formula_and_script_injection.csv"), apply={})
    assert "<script>alert" not in preview and "&lt;script&gt;" in preview
    names = [p.name for p in programs(app)]
    assert "=cmd|' /C calc'!A0" in names and "@SUM(A1:A2)" in names
    link = next(p for p in programs(app) if p.name == "Link Hospital")
    assert link.mission_notes == "javascript:alert(1)" and link.website is None
    grid = client.get("/?tier=all").get_data(as_text=True)
    assert 'href="javascript' not in grid and "<img src=x" not in grid


@pytest.mark.parametrize("name, status, message", [
    ("bad/empty.xlsx", 400, "is empty (0 bytes)"),
    ("bad/not_a_spreadsheet.xlsx", 415, "is not an Excel workbook"),
    ("bad/truncated.xlsx", 422, "is damaged or incomplete"),
    ("bad/zip_without_workbook.xlsx", 415, "is a zip archive but not an Excel workbook"),
])
def test_every_bad_sample_file_is_refused_with_its_message_and_the_database_untouched(app, client, make_program,
                                                                                      db_bytes, name, status, message):
    make_program(name="Already here")
    before = db_bytes()
    response = upload(client, fixture(name))
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert message in body and "Nothing was imported." in body
    assert db_bytes() == before


def test_an_old_xls_or_a_protected_workbook_is_refused(client):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    assert upload(client, Path("old.xls"), ole2).status_code == 415
    protected = upload(client, Path("locked.xlsx"), ole2)
    assert protected.status_code == 415 and "password-protected" in protected.get_data(as_text=True)


def test_a_file_over_the_size_limit_is_refused(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = upload(client, Path("big.csv"), b"Program Name\n" + b"x" * 4096)
    assert response.status_code == 413
    assert "The file is larger than 1 KB" in response.get_data(as_text=True)
    assert "Nothing was imported" in response.get_data(as_text=True)


def test_no_file_chosen(client):
    response = client.post("/imports", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a file" in response.get_data(as_text=True)


def test_mapping_without_a_name_column_is_refused(client):
    mapping_url = upload(client, fixture("bad/cp1252_semicolon.csv")).headers["Location"]
    form = mapping_form(client.get(mapping_url).get_data(as_text=True))
    form["col-0"] = ""
    response = client.post(mapping_url, data=form)
    assert response.status_code == 422
    assert "Choose the column that holds the program name." in response.get_data(as_text=True)


def test_the_import_page_lists_past_batches(client):
    import_file(client, fixture("bad/cp1252_semicolon.csv"), apply={})
    page = client.get("/imports").get_data(as_text=True)
    assert "cp1252_semicolon.csv" in page and "Applied" in page and "2 new, 0 updated" in page
