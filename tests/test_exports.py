"""Exports over HTTP and the command line, LibreOffice opening them, and the round trip of a
mentor's edited workbook back into the tracker."""

import io
import re
import shutil
import subprocess

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.db import db
from tracker.models import Program


@pytest.fixture
def demo(app, runner):
    runner.invoke(args=["demo"])
    with app.app_context():
        return {p.name: p.id for p in db.session.scalars(sa.select(Program))}


def export(client, query=""):
    response = client.get(f"/export.xlsx{query}")
    assert response.status_code == 200
    return response, openpyxl.load_workbook(io.BytesIO(response.data))


def test_the_workbook_downloads_with_its_dated_name(client, demo):
    response, wb = export(client)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r'attachment; filename="residency-programs-\d{4}-\d{2}-\d{2}\.xlsx"',
                        response.headers["Content-Disposition"])
    assert wb["Programs"].max_row == 41  # the 40 demo programs (none is Not eligible without a profile)


def test_the_export_follows_the_grids_filters_and_columns(client, demo, make_program):
    make_program(name="Excluded", visa_j1="no")
    client.post("/profile", data={"visa_needed": "J-1", "season_year": "2027", "step2_ck": "230"})
    grid = client.get("/").get_data(as_text=True)
    link = re.search(r'href="(/export\.xlsx[^"]*)"', grid).group(1)
    _, wb = export(client, link.removeprefix("/export.xlsx"))
    names = [r[0].value for r in wb["Programs"].iter_rows(min_row=2)]
    assert "Excluded" not in names and len(names) == grid.count('<tr id="p-')
    _, chosen = export(client, "?tier=all&col=name&col=state&col=status")
    assert [c.value for c in chosen["Programs"][1]] == ["Program name", "Tier", "State", "Application status",
                                                       "Mentor comments", "Tracker ID"]
    assert "Excluded" in [r[0].value for r in chosen["Programs"].iter_rows(min_row=2)]


def test_the_csv_download(client, demo):
    response = client.get("/export.csv?tier=all")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeffProgram name,Tier,")
    assert text.count("\r\n") == 41


def test_tracker_export_writes_the_same_files(app, runner, demo, tmp_path):
    result = runner.invoke(args=["export", str(tmp_path / "list.xlsx"), "--tier", "all", "--col", "name",
                                 "--col", "city"])
    assert result.exit_code == 0 and "Wrote 40 programs" in result.output
    ws = openpyxl.load_workbook(tmp_path / "list.xlsx")["Programs"]
    assert [c.value for c in ws[1]] == ["Program name", "Tier", "City", "Mentor comments", "Tracker ID"]
    csv_result = runner.invoke(args=["export", str(tmp_path / "list.csv")])
    assert csv_result.exit_code == 0 and (tmp_path / "list.csv").read_text(encoding="utf-8").startswith("\ufeff")
    bad = runner.invoke(args=["export", str(tmp_path / "list.pdf")])
    assert bad.exit_code == 1 and "must end in .xlsx or .csv" in bad.output


def test_libreoffice_opens_the_export(client, demo, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice Calc is missing: `make test` installs Debian's libreoffice-calc-nogui"
    response, _ = export(client, "?tier=all")
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.data)
    result = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                             "--convert-to", "csv", "--outdir", str(tmp_path), str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    converted = (tmp_path / "export.csv").read_text(encoding="utf-8", errors="replace")
    assert converted.startswith("Program name,Tier,") and "Brownsville County Medical Center Program" in converted


# -- the round trip ------------------------------------------------------------------

def upload(client, data: bytes, name="returned.xlsx"):
    response = client.post("/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def preview_of(client, data: bytes):
    from forms import form_values

    mapping_url = upload(client, data)
    page = client.get(mapping_url).get_data(as_text=True)
    form = {k: v for k, v in form_values(page).items()}
    mapped = client.post(mapping_url, data=form)
    assert mapped.status_code == 302, mapped.get_data(as_text=True)
    return page, mapped.headers["Location"].rsplit("/", 1)[0], client.get(mapped.headers["Location"]).get_data(
        as_text=True)


def mentor_edits(data: bytes, edits: dict[tuple[str, str], object], sort=True) -> bytes:
    """Open the workbook as a mentor's spreadsheet program would, change cells, sort, save."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Programs"]
    headers = [c.value for c in ws[1]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    for (name, header), value in edits.items():
        row = next(r for r in rows if r[0] == name)
        row[headers.index(header)] = value
    if sort:
        rows.sort(key=lambda r: r[0], reverse=True)
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            ws.cell(i, j).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_mentors_two_edits_come_back_as_exactly_two_changes(app, client, demo):
    response, _ = export(client, "?tier=all")
    gary = "Gary County Medical Center Program (Internal Medicine)"
    toledo = "Toledo University Hospital Program (Internal Medicine)"
    returned = mentor_edits(response.data, {(gary, "Application status"): "Will apply",
                                            (toledo, "Mentor comments"): "Strong fit: apply early"})

    mapping_page, batch_url, preview = preview_of(client, returned)
    assert "was exported from this tracker" in mapping_page
    assert re.findall(r'<span class="pill[^"]*">(\d+) (\w+)', preview)[:2] == [("0", "new"), ("2", "changed")]
    assert "40 unchanged" not in preview and "38 unchanged" in preview
    assert re.search(r"<b>Status</b>:\s*<del>[^<]+</del> → <ins>Will apply</ins>", preview)
    assert re.search(r"<b>Mentor comments</b>:\s*<del>\(empty\)</del> → <ins>Strong fit: apply early</ins>",
                     preview)

    assert client.post(f"{batch_url}/apply", data={}).status_code == 302
    with app.app_context():
        assert db.session.get(Program, demo[gary]).status == "will_apply"
        assert db.session.get(Program, demo[toledo]).mentor_comments == "Strong fit: apply early"
    grid = client.get("/?tier=all&col=all").get_data(as_text=True)
    assert "Strong fit: apply early" in grid


def test_a_cell_changed_in_both_places_since_the_export_is_a_conflict(app, client, demo):
    response, _ = export(client, "?tier=all")
    gary = "Gary County Medical Center Program (Internal Medicine)"
    with app.app_context():
        program = db.session.get(Program, demo[gary])
        version = program.version
    client.post(f"/programs/{demo[gary]}/cells/status", data={"value": "applied", "version": version})
    returned = mentor_edits(response.data, {(gary, "Application status"): "Withdrawn"})
    _, batch_url, preview = preview_of(client, returned)
    assert re.search(r'<span class="pill p-conflict">1 with conflicts</span>', preview)
    assert client.post(f"{batch_url}/apply", data={}).status_code == 302
    with app.app_context():
        assert db.session.get(Program, demo[gary]).status == "applied"  # the tracker's value by default
