"""Importing over HTTP, the long-file side: the upload is read once and what the later steps need
is kept beside it; the preview of a long file lists the first rows of each kind, every conflict,
and lets the rest be left out."""

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.db import db
from tracker.models import Program

from forms import mapping_form
from samples import sample as fixture


def upload(client, name: str, data: bytes):
    return client.post("/imports", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def to_preview(client, name: str, data: bytes, **mapping) -> tuple[str, int]:
    """Upload, confirm the suggested mapping (with ``mapping`` changes: col-N=target), return
    (preview page, batch id)."""
    uploaded = upload(client, name, data)
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    url = uploaded.headers["Location"]
    batch_id = int(re.search(r"/imports/(\d+)/", url).group(1))
    form = mapping_form(client.get(url).get_data(as_text=True))
    form.update({key.replace("_", "-"): value for key, value in mapping.items()})
    mapped = client.post(url, data=form)
    assert mapped.status_code == 302, mapped.get_data(as_text=True)
    preview = client.get(mapped.headers["Location"])
    assert preview.status_code == 200
    return preview.get_data(as_text=True), batch_id


def apply(client, batch_id: int, **form) -> str:
    applied = client.post(f"/imports/{batch_id}/apply", data=form)
    assert applied.status_code == 302
    return client.get(applied.headers["Location"]).get_data(as_text=True)


def csv_of(cities: list[str]) -> bytes:
    lines = ["Program Name,State,City"] + [f"Program {i + 1},OH,{city}" for i, city in enumerate(cities)]
    return ("\n".join(lines) + "\n").encode()


def stored(app) -> dict[str, Program]:
    with app.app_context():
        db.session.expire_all()
        return {p.name: p for p in db.session.scalars(sa.select(Program).where(Program.deleted_at.is_(None)))}


def listed_rows(preview: str, kind: str) -> list[int]:
    return [int(n) for n in re.findall(rf'<tr class="row-{kind}">\s*<td>(\d+)</td>', preview)]


@pytest.fixture
def short_lists(app):
    app.config["IMPORT_PREVIEW_ROWS"] = 3
    return app


# -- read once -----------------------------------------------------------------------

def test_the_uploaded_file_is_read_once_from_upload_to_apply(app, client, monkeypatch):
    import tracker.importing.drafts as drafts

    reads = []
    real = drafts.read_file
    monkeypatch.setattr(drafts, "read_file", lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    preview, batch_id = to_preview(client, "freida.xlsx", fixture("freida_export_sample.xlsx").read_bytes())
    assert '<span class="pill p-new">120 new</span>' in preview
    assert "Imported freida.xlsx: 120 new programs" in apply(client, batch_id)
    assert reads == ["freida.xlsx"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)) == 120
    assert list((Path(app.instance_path) / "imports").iterdir()) == []  # nothing left behind once applied


def test_a_draft_whose_kept_rows_are_gone_is_read_again_from_its_file(app, client):
    uploaded = upload(client, "list.csv", csv_of(["Toledo", "Akron"]))
    url = uploaded.headers["Location"]
    batch_id = int(re.search(r"/imports/(\d+)/", url).group(1))
    folder = Path(app.instance_path) / "imports"
    copies = list(folder.glob("*.json.gz"))
    assert copies  # the first rows and the sheet, kept beside the file
    for kept in copies:
        kept.unlink()
    page = client.get(url).get_data(as_text=True)
    assert "Toledo" in page  # the examples beside each column
    assert client.post(url, data=mapping_form(page)).status_code == 302
    copies = list(folder.glob("*.json.gz"))
    assert any(".rows." in p.name for p in copies)  # the converted rows, kept for the preview
    for kept in copies:
        kept.unlink()
    assert '<span class="pill p-new">2 new</span>' in client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    apply(client, batch_id)
    assert stored(app)["Program 2"].city == "Akron"


def test_a_draft_whose_file_is_gone_too_says_so(app, client):
    url = upload(client, "list.csv", csv_of(["Toledo"])).headers["Location"]
    for kept in (Path(app.instance_path) / "imports").iterdir():
        kept.unlink()
    response = client.get(url)
    assert response.status_code == 410 and "upload it again" in response.get_data(as_text=True)


def test_a_draft_left_for_weeks_gives_its_files_back_at_the_next_upload(app, client):
    from tracker.models import ImportBatch
    old_url = upload(client, "old.csv", csv_of(["Toledo"])).headers["Location"]
    folder = Path(app.instance_path) / "imports"
    with app.app_context():
        old = db.session.scalars(sa.select(ImportBatch)).one()
        old.created_at -= dt.timedelta(days=15)
        db.session.commit()
        old_id = old.batch_id
    assert list(folder.glob(f"{old_id}.*"))
    upload(client, "new.csv", csv_of(["Akron"]))
    assert list(folder.glob(f"{old_id}.*")) == []  # the old draft's file and copies are gone
    assert any(folder.glob("*.csv"))  # the new one's are kept
    response = client.get(old_url)
    assert response.status_code == 410 and "upload it again" in response.get_data(as_text=True)


def test_an_upload_that_fails_to_be_stored_leaves_no_file_behind(app, client, monkeypatch, db_bytes):
    from tracker.importing.drafts import DraftStore

    before = db_bytes()

    def disk_trouble(self):
        raise OSError("No space left on device")

    monkeypatch.setattr(DraftStore, "forget_old", disk_trouble)
    with pytest.raises(OSError):
        upload(client, "list.csv", csv_of(["Toledo"]))
    folder = Path(app.instance_path) / "imports"
    assert not folder.exists() or list(folder.iterdir()) == []
    assert db_bytes() == before


def test_a_mapping_changed_after_the_preview_is_what_the_preview_and_apply_use(app, client):
    data = csv_of(["Toledo", "Akron"])
    preview, batch_id = to_preview(client, "list.csv", data)
    assert "<ins>Toledo</ins>" in preview
    url = f"/imports/{batch_id}/mapping"
    form = mapping_form(client.get(url).get_data(as_text=True))
    form["col-2"] = ""  # City: ignore
    assert client.post(url, data=form).status_code == 302
    preview = client.get(f"/imports/{batch_id}/preview").get_data(as_text=True)
    assert "Toledo" not in preview
    apply(client, batch_id)
    assert stored(app)["Program 1"].city is None


def test_another_header_row_maps_from_that_row(app, client):
    data = b"My programs\nProgram Name,State,City\nProgram 1,OH,Toledo\n"
    url = upload(client, "list.csv", data).headers["Location"]
    assert 'name="header_row" value="2"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"sheet": "list.csv", "header_row": "1"}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'name="header_row" value="1"' in page and "<th scope=\"row\">My programs</th>" in page


def test_dates_and_numbers_of_a_workbook_arrive_as_they_were(app, client):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Program Name", "State", "Interview", "Applied on", "Positions", "% IMG"])
    sheet.append(["Program 1", "OH", dt.datetime(2026, 11, 25, 14, 30), dt.date(2026, 9, 24), 12, 0.35])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _, batch_id = to_preview(client, "dates.xlsx", buffer.getvalue())
    apply(client, batch_id)
    program = stored(app)["Program 1"]
    assert (program.interview_date, program.date_applied) == (dt.datetime(2026, 11, 25, 14, 30), dt.date(2026, 9, 24))
    assert (program.positions, program.img_percent) == (12, 35.0)


# -- long previews -------------------------------------------------------------------

def test_a_long_kind_lists_its_first_rows_and_the_rest_are_imported_unless_left_out(short_lists, client):
    app = short_lists
    preview, batch_id = to_preview(client, "list.csv", csv_of([f"City {i}" for i in range(5)]))
    assert listed_rows(preview, "new") == [2, 3, 4]
    rest = re.search(r'<input type="checkbox" name="exclude_rest" value="(new:\d+)">\s*Leave out the 2 new programs '
                     r'not listed here', preview)
    assert rest and rest.group(1) == "new:4"
    assert f"/imports/{batch_id}/preview?rows=all" in preview
    apply(client, batch_id, exclude="3", exclude_rest=rest.group(1))
    assert sorted(stored(app)) == ["Program 1", "Program 3"]


def test_the_rest_not_left_out_is_imported(short_lists, client):
    preview, batch_id = to_preview(client, "list.csv", csv_of([f"City {i}" for i in range(5)]))
    assert "Leave out the 2 new programs not listed here" in preview
    apply(client, batch_id)
    assert len(stored(short_lists)) == 5


def test_every_row_can_be_listed_to_choose_one_by_one(short_lists, client):
    _, batch_id = to_preview(client, "list.csv", csv_of([f"City {i}" for i in range(5)]))
    page = client.get(f"/imports/{batch_id}/preview?rows=all").get_data(as_text=True)
    assert listed_rows(page, "new") == [2, 3, 4, 5, 6]
    assert "exclude_rest" not in page
    apply(client, batch_id, exclude=["5", "6"])
    assert sorted(stored(short_lists)) == ["Program 1", "Program 2", "Program 3"]


def test_changed_rows_past_the_list_can_be_left_out(short_lists, client):
    app = short_lists
    _, batch_id = to_preview(client, "list.csv", csv_of([f"Old {i}" for i in range(5)]))
    apply(client, batch_id)
    preview, batch_id = to_preview(client, "list.csv", csv_of([f"New {i}" for i in range(5)]))
    assert listed_rows(preview, "changed") == [2, 3, 4]
    rest = re.search(r'name="exclude_rest" value="(changed:\d+)">\s*Leave out the 2 changed programs', preview)
    apply(client, batch_id, exclude_rest=rest.group(1))
    assert [stored(app)[f"Program {i + 1}"].city for i in range(5)] == ["New 0", "New 1", "New 2", "Old 3", "Old 4"]


def test_every_conflict_is_listed_whatever_the_length(short_lists, client):
    app = short_lists
    _, batch_id = to_preview(client, "list.csv", csv_of([f"Old {i}" for i in range(5)]))
    apply(client, batch_id)
    for program in stored(app).values():  # the applicant corrects every city in the tracker
        client.post(f"/programs/{program.id}/cells/city", data={"value": f"Mine {program.name[-1]}",
                                                                 "version": program.version})
    preview, batch_id = to_preview(client, "list.csv", csv_of([f"File {i}" for i in range(5)]))
    assert listed_rows(preview, "conflict") == [2, 3, 4, 5, 6]
    assert "exclude_rest" not in preview
    assert re.findall(r'name="take" value="(\d+):city"', preview) == ["2", "3", "4", "5", "6"]
    apply(client, batch_id, take="6:city")
    assert [stored(app)[f"Program {i + 1}"].city for i in range(5)] == ["Mine 1", "Mine 2", "Mine 3", "Mine 4",
                                                                        "File 4"]


def test_unchanged_rows_are_listed_by_name(short_lists, client):
    data = csv_of([f"City {i}" for i in range(5)])
    _, batch_id = to_preview(client, "list.csv", data)
    apply(client, batch_id)
    preview, _ = to_preview(client, "list.csv", data)
    assert "Unchanged programs (5)" in preview
    assert re.findall(r"<td>(\d+)</td><td><a href=\"/programs/\d+\">(Program \d)</a>", preview) == [
        ("2", "Program 1"), ("3", "Program 2"), ("4", "Program 3")]
    assert "… and 2 more" in preview


def test_rows_that_cant_be_imported_past_the_list_are_counted(short_lists, client):
    data = ("Program Name,State,City\n" + "".join(f",OH,City {i}\n" for i in range(5))).encode()
    preview, _ = to_preview(client, "list.csv", data)
    assert '<span class="pill p-invalid">5 can\'t be imported</span>' in preview
    assert preview.count("No program name in this row.") == 3
    assert "… and 2 more" in preview


def repeated_notes_workbook(rows: int = 2_000, length: int = 9_000) -> bytes:
    """A 60 KB workbook whose Notes cells all repeat three 9,000-character shared strings: 18
    million characters once spelled out, within what the tracker reads."""
    import sys
    import zipfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from bench_uploads import workbook

    body = '<row r="1"><c r="A1" t="inlineStr"><is><t>Program Name</t></is></c>' \
           '<c r="B1" t="inlineStr"><is><t>Notes</t></is></c></row>'
    body += "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Program {r}</t></is></c>'
                    f'<c r="B{r}" t="s"><v>{r % 3}</v></c></row>' for r in range(2, rows + 2))
    data = workbook(body, [letter * length for letter in "xyz"])
    assert zipfile.is_zipfile(io.BytesIO(data)) and len(data) < 100_000
    return data


def test_a_small_workbook_that_spells_out_to_millions_of_characters_keeps_small_copies(app, client):
    """The draft's copies stay within a few times the file's size however much its cells repeat
    (one such 735 KB file once left 653 MB of copies for 14 days); the copies it could not keep
    are read again from the file, and the preview is the same."""
    from tracker.importing.drafts import COPIES_FLOOR, COPIES_PER_FILE

    data = repeated_notes_workbook()
    folder = Path(app.instance_path) / "imports"
    bound = max(COPIES_FLOOR, COPIES_PER_FILE * len(data))
    uploaded = upload(client, "notes.xlsx", data)
    assert uploaded.status_code == 302
    copies = lambda: sum(p.stat().st_size for p in folder.glob("*.json.gz"))  # noqa: E731
    assert 0 < copies() <= bound
    page = client.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "Program 2" in page and "xxxxxxxx" in page
    mapped = client.post(uploaded.headers["Location"], data=mapping_form(page))
    assert mapped.status_code == 302 and copies() <= bound
    preview = client.get(mapped.headers["Location"]).get_data(as_text=True)
    assert '<span class="pill p-new">2000 new</span>' in preview
    assert copies() <= bound
