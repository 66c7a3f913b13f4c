"""A mentor's Excel comments (cell notes) on a returned export come back as comments on that
program and field, and a row the mentor deleted is listed, kept unless the user deletes it."""

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl.comments import Comment

from tracker.db import db
from tracker.models import MentorComment, Program

GARY = "Gary County Medical Center Program (Internal Medicine)"
TOLEDO = "Toledo University Hospital Program (Internal Medicine)"
ERIE = "Erie Army Medical Center Program (Med-Peds)"


@pytest.fixture
def demo(app, runner):
    runner.invoke(args=["demo"])
    with app.app_context():
        return {p.name: p.id for p in db.session.scalars(sa.select(Program))}


def returned(client, *, notes=(), delete=()) -> bytes:
    """The export as a mentor sends it back: notes on cells (program, header, author, text), rows deleted."""
    response = client.get("/export.xlsx?tier=all")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = wb["Programs"]
    headers = [c.value for c in ws[1]]
    line = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for name, header, author, text in notes:
        ws.cell(line[name], headers.index(header) + 1).comment = Comment(text, author)
    for r in sorted((line[name] for name in delete), reverse=True):
        ws.delete_rows(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def preview_of(client, data: bytes):
    from forms import form_values

    response = client.post("/imports", data={"file": (io.BytesIO(data), "back.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    mapping_url = response.headers["Location"]
    mapped = client.post(mapping_url, data=form_values(client.get(mapping_url).get_data(as_text=True)))
    assert mapped.status_code == 302
    return mapped.headers["Location"].rsplit("/", 1)[0], client.get(mapped.headers["Location"]).get_data(as_text=True)


def comments(app):
    with app.app_context():
        return sorted((c.program_id, c.field, c.author, c.text) for c in db.session.scalars(sa.select(MentorComment)))


def test_cell_notes_come_back_on_their_program_and_field(app, client, demo):
    data = returned(client, notes=[(GARY, "Application status", "Dr. Okafor", "Apply in the first week"),
                                   (TOLEDO, "Program name", "Dr. Okafor", "A reach: keep it, but last"),
                                   (GARY, "Tier", "", "Why not Likely?")])
    batch_url, preview = preview_of(client, data)
    assert "Comments in the mentor&#39;s copy (3)" in preview or "Comments in the mentor's copy (3)" in preview
    assert re.search(r"<td>Status</td>\s*<td><b>Dr. Okafor</b>: Apply in the first week</td>", preview)
    assert re.search(r"<td>The program</td>\s*<td><b>Dr. Okafor</b>: A reach: keep it, but last</td>", preview)
    assert re.search(r"<td>Tier</td>\s*<td>Why not Likely\?</td>", preview)
    assert "Apply the import" in preview  # notes alone are something to import
    assert comments(app) == []

    applied = client.post(f"{batch_url}/apply", data={})
    assert applied.status_code == 302
    assert comments(app) == sorted([(demo[GARY], "status", "Dr. Okafor", "Apply in the first week"),
                                    (demo[TOLEDO], None, "Dr. Okafor", "A reach: keep it, but last"),
                                    (demo[GARY], "tier_override", None, "Why not Likely?")])
    page = client.get(f"/programs/{demo[GARY]}").get_data(as_text=True)
    assert "Apply in the first week" in page and "Dr. Okafor" in page
    grid = client.get("/?tier=all").get_data(as_text=True)
    row = re.search(rf'<tr id="p-{demo[GARY]}".*?</tr>', grid, re.S).group(0)
    cell = re.search(r'<td data-f="status"[^>]*>.*?</td>', row, re.S).group(0)
    assert 'class="note-mark"' in cell and "Apply in the first week" in cell

    # the same file again adds nothing
    _, again = preview_of(client, data)
    assert "Comments in the mentor" not in again


def test_undoing_the_import_takes_its_comments_away(app, client, demo):
    batch_url, _ = preview_of(client, returned(client, notes=[(GARY, "City", "M", "Check the city")]))
    client.post(f"{batch_url}/apply", data={})
    assert len(comments(app)) == 1
    assert client.post(f"{batch_url}/undo").status_code == 302
    assert comments(app) == []


def test_a_row_the_mentor_deleted_is_listed_and_kept(app, client, demo):
    batch_url, preview = preview_of(client, returned(client, delete=[ERIE, TOLEDO]))
    assert re.search(r"Removed in the mentor(&#39;|')s copy \(2\)", preview)
    assert ERIE in preview and f'name="delete" value="{demo[ERIE]}"' in preview
    assert "Apply the import" in preview
    # applied without choosing: nothing changes, both stay
    client.post(f"{batch_url}/apply", data={})
    with app.app_context():
        assert db.session.get(Program, demo[ERIE]).deleted_at is None
        assert db.session.get(Program, demo[TOLEDO]).deleted_at is None


def test_a_row_the_mentor_deleted_is_deleted_when_the_user_chooses_and_undo_brings_it_back(app, client, demo):
    batch_url, _ = preview_of(client, returned(client, delete=[ERIE, TOLEDO]))
    assert client.post(f"{batch_url}/apply", data={"delete": str(demo[ERIE])}).status_code == 302
    with app.app_context():
        assert db.session.get(Program, demo[ERIE]).deleted_at is not None
        assert db.session.get(Program, demo[TOLEDO]).deleted_at is None
    assert ERIE in client.get("/programs/deleted").get_data(as_text=True)
    assert client.post(f"{batch_url}/undo").status_code == 302
    with app.app_context():
        assert db.session.get(Program, demo[ERIE]).deleted_at is None


def test_an_id_not_in_the_mentors_copy_can_not_delete_another_program(app, client, demo):
    batch_url, _ = preview_of(client, returned(client, delete=[ERIE]))
    client.post(f"{batch_url}/apply", data={"delete": [str(demo[GARY]), "x"]})
    with app.app_context():
        assert db.session.get(Program, demo[GARY]).deleted_at is None
        assert db.session.get(Program, demo[ERIE]).deleted_at is None


def test_excel_notes_are_read_with_their_author_line_taken_off():
    from tracker.importing.read import read_file

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "List"
    ws.append(["Program name", "Status"])
    ws.append(["A", "Applied"])
    ws["B2"].comment = Comment("Dr. Mentor:\nFollow up & ask", "Dr. Mentor")
    ws["A2"].comment = Comment("[Threaded comment]\n\nYour version of Excel allows you to read this threaded "
                               "comment; however...\n\nComment:\n    Good fit", "tc=abc")
    out = io.BytesIO()
    wb.save(out)
    (sheet,) = read_file(out.getvalue(), "list.xlsx")
    assert sorted(sheet.notes) == [[1, 0, "tc=abc", "Good fit"], [1, 1, "Dr. Mentor", "Follow up & ask"]]
