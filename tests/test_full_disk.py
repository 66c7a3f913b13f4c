"""A full disk: every write that can't be made answers with a message saying so (507), keeps
nothing partial, and the server still answers large requests instead of resetting them."""

from __future__ import annotations

import errno
import http.client
import io
import pathlib
import re
import tempfile
import threading
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from tracker.db import db
from tracker.models import ImportBatch, Program

from forms import mapping_form

CSV = b"Program Name,City\nLakeview Program,Toledo\n"


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def upload(client, data: bytes = CSV):
    return client.post("/imports", data={"file": (io.BytesIO(data), "mine.csv")},
                       content_type="multipart/form-data")


@pytest.fixture
def served(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_an_upload_whose_copy_cannot_be_kept_says_the_disk_is_full_and_keeps_nothing(served, client, monkeypatch):
    monkeypatch.setattr(pathlib.Path, "write_bytes", no_space)
    answer = upload(client)
    assert answer.status_code == 507 and "disk is full" in answer.get_data(as_text=True)
    monkeypatch.undo()
    with served.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 0
    folder = pathlib.Path(served.instance_path) / "imports"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_disk_io_error_while_applying_says_the_disk_may_be_full_and_applies_nothing(served, client, monkeypatch):
    url = upload(client).headers["Location"]
    batch = int(re.search(r"/imports/(\d+)/", url).group(1))
    assert client.post(url, data=mapping_form(client.get(url).get_data(as_text=True))).status_code == 302

    def failing(*args, **kwargs):
        raise OperationalError("INSERT INTO change ...", {}, __import__("sqlite3").OperationalError("disk I/O error"))

    monkeypatch.setattr("tracker.views.imports.apply_plan", failing)
    answer = client.post(f"/imports/{batch}/apply", data={})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 507 and "disk" in body and "full" in body and "Try again" not in body
    with served.app_context():
        assert db.session.get(ImportBatch, batch).status == "draft"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)) == 0


@pytest.fixture
def waitress_server(served, monkeypatch):
    """The app under waitress with the options `tracker serve` gives it, on a system whose
    temporary files can't be written (the disk is full)."""
    from waitress import create_server

    from tracker.cli import serve_options

    monkeypatch.setattr(tempfile, "TemporaryFile", no_space)
    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", no_space)
    server = create_server(served, host="127.0.0.1", port=0, **serve_options(served))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield server.effective_port
    server.close()
    thread.join(timeout=5)


def post_body(port: int, size: int) -> tuple[int, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode() + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/imports", body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.mark.parametrize("size", [600_000, 5_000_000])
def test_a_request_body_larger_than_the_servers_memory_buffer_still_gets_a_page(waitress_server, size):
    status, page = post_body(waitress_server, size)  # without the CSRF token: refused, with a page
    assert 400 <= status < 500 and status != 413 and "<html" in page.lower()


def test_a_body_over_the_upload_limit_is_told_so(waitress_server, served):
    status, page = post_body(waitress_server, served.config["MAX_CONTENT_LENGTH"] + 100_000)
    assert status == 413 and "larger than" in page


def test_a_download_of_the_database_on_a_full_disk_says_so(served, client, monkeypatch):
    import os

    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", no_space)
    answer = client.get("/backup.sqlite3")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert answer.status_code == 507 and "No space left" in answer.get_data(as_text=True)
    assert [p.name for p in pathlib.Path(served.instance_path).iterdir() if p.name.startswith(".download")] == []
