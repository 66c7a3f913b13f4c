"""Hostile input: text stored as typed and shown inert, a wrong Host refused, uploads that try
to hurt refused with the database untouched, a full disk, and random input that never 500s."""

import csv
import io
import sqlite3
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import create_app, fields
from tracker.db import db
from tracker.importing.read import UnreadableFile, read_file
from tracker.models import Program

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "Control\x00\x07\x1b characters",
    "RTL \u202egnp.exe override",
]
TEXT_FIELDS = [f for f in fields.FIELDS if f.kind in (fields.Kind.TEXT, fields.Kind.LONG_TEXT) and f.normalize is None]


def save(client, pid, key, value, version):
    return client.post(f"/programs/{pid}/cells/{key}", data={"value": value, "version": version})


@pytest.mark.parametrize("f", TEXT_FIELDS, ids=lambda f: f.key)
def test_every_text_field_stores_hostile_text_as_typed_shows_it_inert_and_exports_it_as_text(
        client, make_program, read_program, f):
    pid = make_program(name="Plain Program")
    limit = f.max_length or (10_000 if f.kind is fields.Kind.LONG_TEXT else 200)
    too_long = save(client, pid, f.key, "y" * (limit + 1), 1)
    assert too_long.status_code == 422 and f"at most {limit:,} characters" in too_long.get_data(as_text=True)
    for version, payload in enumerate([*PAYLOADS, "x" * limit], start=1):
        response = save(client, pid, f.key, payload, version)
        assert response.status_code == 200, (f.key, payload)
        assert read_program(pid)[f.key] == payload.strip()
        for page in (response.get_data(as_text=True), client.get("/?tier=all").get_data(as_text=True),
                     client.get(f"/programs/{pid}").get_data(as_text=True)):
            assert "<script>alert" not in page and "<img src=x" not in page
            assert 'href="javascript' not in page
        workbook = openpyxl.load_workbook(io.BytesIO(client.get("/export.xlsx?tier=all").data))["Programs"]
        headers = [c.value for c in workbook[1]]
        cell = workbook.cell(2, headers.index(f.export_header) + 1)
        assert cell.data_type == "s"
        assert cell.value == payload.strip().replace("\x00", "\ufffd").replace("\x07", "\ufffd").replace(
            "\x1b", "\ufffd")
        rows = list(csv.reader(io.StringIO(client.get("/export.csv?tier=all").data.decode("utf-8-sig"))))
        exported = dict(zip(rows[0], rows[1]))[f.export_header]
        assert exported == ("'" if payload.startswith("=") else "") + payload.strip()


def test_a_request_for_another_host_is_refused(client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "127.0.0.1:5000"}).status_code == 200


def test_an_open_tab_keeps_saving_after_the_server_restarts(tmp_path, monkeypatch, make_program, app):
    pid = make_program(name="Before the restart")
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    first = create_app(config).test_client()  # the secret key comes from the instance folder
    page = first.get("/", follow_redirects=True).get_data(as_text=True)  # in season, "/" lands on Today
    token = page.split("X-CSRFToken&#34;: &#34;")[1].split("&#34;")[0]
    cookie = first.get_cookie("session").value
    second = create_app(config).test_client()  # "restarted": a new process, the same instance folder
    second.set_cookie("session", cookie)
    response = second.post(f"/programs/{pid}/cells/city", data={"value": "Toledo", "version": 1},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_a_tab_left_open_for_hours_can_still_save(app, client, make_program, read_program, monkeypatch):
    """Flask-WTF's CSRF tokens last an hour by default; the tracker's never expire (the token
    is tied to the browser's session, and the session to the secret key in the instance folder)."""
    import time

    from itsdangerous.timed import TimestampSigner

    pid = make_program(name="Open since the morning")
    hours_ago = int(time.time()) - 9 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: hours_ago)
    page = client.get("/", follow_redirects=True).get_data(as_text=True)  # the page loaded 9 hours ago
    token = page.split("X-CSRFToken&#34;: &#34;")[1].split("&#34;")[0]
    monkeypatch.undo()
    response = client.post(f"/programs/{pid}/cells/city", data={"value": "Toledo", "version": 1},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert read_program(pid)["city"] == "Toledo"


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED  # 300 MB of zeros in about 300 KB
        with z.open(info, "w", force_zip64=True) as member:
            for _ in range(300):
                member.write(b"\0" * (1 << 20))
    return out.getvalue()


def laughs() -> bytes:
    """A workbook whose sheet declares nested entities: a billion "lol"s if expanded."""
    wb = openpyxl.Workbook()
    wb.active.append(["Program Name"])
    wb.active.append(["Mercy"])
    raw = io.BytesIO()
    wb.save(raw)
    doctype = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
               + b"".join(b'<!ENTITY %s "%s">' % (b"b" * i, (b"&" + (b"b" * (i - 1) if i > 1 else b"a") + b";") * 10)
                          for i in range(1, 10))
               + b"]>")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = doctype + content.replace(b"<t>Mercy</t>", b"<t>&bbbbbbbbb;</t>")
                assert b"&bbbbbbbbb;" in content
            dst.writestr(item, content)
    return out.getvalue()


def shared_string_bomb(cells=20_000, strings=3, length=30_000) -> bytes:
    """A small workbook whose cells all repeat a few 30,000-character shared strings."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Programs" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        items = "".join(f"<si><t>{chr(65 + i) * length}</t></si>" for i in range(strings))
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{cells}" uniqueCount="{strings}">{items}</sst>')
        per_row = 10
        rows = "".join(f'<row r="{r + 1}">' + "".join(f'<c r="{chr(65 + c)}{r + 1}" t="s"><v>{(r + c) % strings}</v></c>' for c in range(per_row)) + "</row>" for r in range(cells // per_row))
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>')
    return out.getvalue()


GENERATED = {
    "zip bomb": ("bomb.xlsx", zip_bomb, (413,)),
    "50,000 rows": ("rows.csv", lambda: ("Program Name\n" + "Mercy\n" * 50_000).encode(), (413,)),
    "5,000 columns": ("wide.csv", lambda: (",".join(f"c{i}" for i in range(5000)) + "\n").encode(), (413,)),
    "a 200 KB cell": ("cell.csv", lambda: ("Program Name\n" + "x" * 200_000 + "\n").encode(), (413,)),
    "entity expansion": ("laughs.xlsx", laughs, (422,)),
    # 55 KB: a few 30,000-character shared strings in 20,000 cells (2.5 GB once every cell had its copy)
    "shared-string bomb": ("strings.xlsx", shared_string_bomb, (413,)),
}


@pytest.mark.parametrize("name", GENERATED)
def test_generated_hostile_uploads_are_refused_and_change_nothing(app, client, make_program, db_bytes, name):
    filename, make, statuses = GENERATED[name]
    make_program(name="Already here")
    before = db_bytes()
    response = client.post("/imports", data={"file": (io.BytesIO(make()), filename)},
                           content_type="multipart/form-data")
    assert response.status_code in statuses
    assert "Nothing was imported" in response.get_data(as_text=True)
    assert db_bytes() == before  # no draft batch, no program


READ_IN_A_CHILD = """
import sys, time
from tracker.importing.read import UnreadableFile, read_file
data = open(sys.argv[1], "rb").read()
start = time.perf_counter()
try:
    read_file(data, sys.argv[2])
    outcome = "read"
except UnreadableFile as exc:
    outcome = str(exc.status)
peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) // 1024
print(outcome, peak, round(time.perf_counter() - start, 2))
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", GENERATED)
def test_reading_a_hostile_upload_stays_within_bounded_memory_and_time(tmp_path, name):
    """Each file is read in a child process of its own, so its peak memory is its own; a
    reader that expanded the bomb or the entities would pass the bound or the time-out. The peak
    is the child's VmHWM: Linux carries the parent's high-water mark into ``ru_maxrss`` across
    the exec, so a long pytest run would be measured instead of the reader."""
    import subprocess
    import sys

    filename, make, statuses = GENERATED[name]
    path = tmp_path / filename
    path.write_bytes(make())
    done = subprocess.run([sys.executable, "-c", READ_IN_A_CHILD, str(path), filename],
                          capture_output=True, text=True, timeout=60, check=True)
    outcome, peak_mb, _seconds = done.stdout.split()
    assert int(outcome) in statuses
    assert int(peak_mb) < 250, f"reading {name} peaked at {peak_mb} MB"


def test_a_full_disk_fails_with_a_clear_message_and_no_partial_data(app, make_program):
    from samples import sample

    pid = make_program(name="Before the disk filled")
    with app.app_context():
        db.engine.dispose()
        path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        sqlite3.connect(path, isolation_level=None).execute("VACUUM").connection.close()  # no free pages left
        pages = db.session.execute(sa.text("PRAGMA page_count")).scalar()
        db.engine.dispose()
    full = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "TRACKER_SQLITE_MAX_PAGES": pages + 2,
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    full.test_client_class = app.test_client_class  # sends the CSRF token, as the browser does
    client = full.test_client()
    big = client.post(f"/programs/{pid}/cells/notes", data={"value": "n" * 9_000, "version": 1})
    assert big.status_code == 507 and "The disk is full" in big.get_data(as_text=True)
    upload = client.post("/imports", data={"file": (io.BytesIO(sample("freida_export_sample.csv").read_bytes()),
                                                    "freida.csv")}, content_type="multipart/form-data")
    if upload.status_code == 302:  # the draft fitted: applying 120 programs does not
        batch = upload.headers["Location"].split("/")[2]
        from forms import form_values

        mapping = client.get(upload.headers["Location"]).get_data(as_text=True)
        client.post(upload.headers["Location"], data=form_values(mapping))
        applied = client.post(f"/imports/{batch}/apply", data={})
        assert applied.status_code == 507
    else:
        assert upload.status_code == 507
    with full.app_context():
        programs = db.session.scalars(sa.select(Program)).all()
        assert [(p.name, p.notes, p.version) for p in programs] == [("Before the disk filled", None, 1)]
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
        db.engine.dispose()


# -- property-based: random input never makes a 500 or a partial write ---------------------------

values = st.one_of(st.text(max_size=300), st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=True).map(str),
                   st.dates().map(str), st.sampled_from(["", " ", "yes", "No", "?", "35%", "2026-02-30", "225+"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from([f.key for f in fields.FIELDS]), value=values)
def test_random_cell_values_never_500_and_never_write_half(app, client, make_program, key, value):
    with app.app_context():
        program = db.session.scalar(sa.select(Program).where(Program.name == "Property"))
        pid = program.id if program else None
        version = program.version if program else 1
        before = {k: getattr(program, k) for k in fields.BY_KEY} if program else None
    if pid is None:
        pid = make_program(name="Property")
        with app.app_context():
            before = {k: getattr(db.session.get(Program, pid), k) for k in fields.BY_KEY}
    response = client.post(f"/programs/{pid}/cells/{key}", data={"value": value, "version": version})
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
    with app.app_context():
        after = db.session.get(Program, pid)
        changed = {k for k in fields.BY_KEY if getattr(after, k) != before[k]}
        if response.status_code == 422:
            assert changed == set() and after.version == version
        else:
            assert changed <= {key}
            assert getattr(after, key) == fields.get(key).parse(value)


cells = st.one_of(st.none(), st.text(max_size=40), st.integers(-10**9, 10**9), st.floats(allow_nan=False,
                                                                                         allow_infinity=False),
                  st.booleans(), st.dates())


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=8), min_size=0, max_size=12), junk=st.binary(max_size=64))
def test_random_workbooks_and_bytes_read_or_are_refused_cleanly(rows, junk):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append([openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                          for v in row])
    out = io.BytesIO()
    wb.save(out)
    for data, name in ((out.getvalue(), "random.xlsx"), (junk, "junk.xlsx"), (junk, "junk.csv"),
                       (out.getvalue()[: len(out.getvalue()) // 2], "cut.xlsx")):
        try:
            sheets = read_file(data, name)
        except UnreadableFile as exc:
            assert 400 <= exc.status < 500 and exc.message
        else:
            assert all(isinstance(s.rows, list) for s in sheets)


def test_the_shared_string_bomb_is_refused_with_a_message_saying_why(client):
    response = client.post("/imports", data={"file": (io.BytesIO(shared_string_bomb()), "strings.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "characters of text once its repeated cells are spelled out" in response.get_data(as_text=True)


def test_a_workbook_repeating_short_shared_strings_still_reads():
    from tracker.importing.read import read_file

    (sheet,) = read_file(shared_string_bomb(cells=20_000, strings=3, length=20), "fine.xlsx")
    assert len(sheet.rows) == 2_000 and sheet.rows[0][0] == "A" * 20


def test_files_a_crashed_upload_left_behind_go_at_the_next_upload(app, client):
    """A crash between writing a draft's copies and committing its batch leaves files no draft owns;
    the next upload removes them (once older than a crash's grace), and keeps those of live drafts."""
    import os
    import time
    from pathlib import Path

    folder = Path(app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    left = [folder / "0f0e0d0c-crash.xlsx", folder / "0f0e0d0c-crash.sheet0.json",
            folder / "0f0e0d0c-crash.head.json.123.partial"]
    for path in left:
        path.write_bytes(b"x" * 1000)
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    recent = folder / "1a2b3c4d-writing.xlsx"  # an upload still being written by another request
    recent.write_bytes(b"x")
    response = client.post("/imports", data={"file": (io.BytesIO(b"Program name\nMercy\n"), "list.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert not any(path.exists() for path in left)
    assert recent.exists()
    kept = [p for p in folder.iterdir() if p != recent]
    assert kept and all(p.name.split(".", 1)[0] != "0f0e0d0c-crash" for p in kept)  # the new draft's own files
    assert sum(p.stat().st_size for p in kept) < 20 * len(b"Program name\nMercy\n") + 4096
