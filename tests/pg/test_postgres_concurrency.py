"""No lost update on PostgreSQL under gunicorn with several workers (separate processes, so the
writers meet only in the database): 8 clients save different cells and the same cell at once.
The change log and the final values agree, every accepted save made the next version, and every
save from an out-of-date version is answered 409. Accounts are on (PostgreSQL's default): the
programs are an applicant's, and every tab signs in as that applicant."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from accounts_helpers import PASSWORD, make_account
from test_concurrency import HOST, TOKEN, Client, _free_port, stop, wait_until_answering  # tests/test_concurrency.py

WRITERS = 8
SAVES = 12  # per writer
GUNICORN = Path(sys.executable).parent / "gunicorn"
VERSION = re.compile(r'data-version="(\d+)"')
APPLICANT = "writer@example.org"


@pytest.fixture
def served(postgres, pg_url, tmp_path):
    """Eight programs in a fresh database, served by gunicorn with 4 workers."""
    engine = sa.create_engine(pg_url)
    env = {**os.environ, "TRACKER_INSTANCE_PATH": str(tmp_path / "instance"), "TRACKER_DATABASE_URL": pg_url,
           "TRACKER_SECRET_KEY": "pg-concurrency-secret-key-of-some-length"}
    from conftest import make_pg_app
    from tracker.changes import create_program
    from tracker.db import db
    from tracker.tenancy import acting_as

    app = make_pg_app(pg_url, str(tmp_path / "instance"), TRACKER_ACCOUNTS=None)  # the default, as gunicorn's
    assert app.config["TRACKER_ACCOUNTS"] is True
    applicant = make_account(app, APPLICANT)
    with app.app_context(), acting_as(applicant):
        ids = []
        for i in range(WRITERS):
            program = create_program({"name": f"Concurrent County Program {i}", "city": "Start"})
            db.session.commit()
            ids.append(program.id)
        db.engine.dispose()
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [GUNICORN, "--workers", "4", "--threads", "2", "--bind", f"{HOST}:{port}", "tracker:create_app()"],
            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(process, port, 60, "gunicorn", log_path.read_text)
        yield port, ids, engine, log_path
    finally:
        stop(process, 15)
        engine.dispose()


class Tab(Client):
    """One browser tab (tests/test_concurrency.py's client) that remembers the versions it saw."""

    def __init__(self, port: int):
        super().__init__(port)
        self.versions: dict[int, int] = {}

    def open(self) -> None:
        """Sign in as the applicant, then open the grid as a tab does."""
        page = self._request("GET", "/sign-in")
        assert page.status == 200, page.status
        token = TOKEN.search(page.body).group(1)
        signed = self._request("POST", "/sign-in", body=urlencode({"email": APPLICANT, "password": PASSWORD}),
                               headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": token})
        assert signed.status == 302 and not signed.headers["location"].endswith("/sign-in"), signed.status
        super().open()


def run_writers(port: int, jobs: list[list], work) -> list:
    """Thread i runs ``work(tab, job)`` for each of jobs[i] in its own tab; all start together."""
    tabs = [Tab(port) for _ in jobs]
    for tab in tabs:
        tab.open()
    replies, errors = [], []
    barrier = threading.Barrier(len(jobs))

    def thread(tab, my_jobs):
        barrier.wait(timeout=60)
        for job in my_jobs:
            try:
                replies.append(work(tab, job))
            except Exception as exc:  # noqa: BLE001 (recorded, fails the test)
                errors.append(f"{job}: {exc!r}")

    threads = [threading.Thread(target=thread, args=(tab, j), daemon=True) for tab, j in zip(tabs, jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a writer did not finish"
    assert not errors, errors
    return replies


def _log(engine, pid: int, key: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(sa.text(
            "SELECT new_value FROM change WHERE program_id = :p AND field = :f AND source = 'edit' ORDER BY id"),
            {"p": pid, "f": key}))


def _stored(engine, pid: int, key: str):
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT {key}, version FROM program WHERE id = :p"), {"p": pid}).one()


def _assert_clean(replies, log_path: Path) -> None:
    assert all(r.status in (200, 409) for r in replies), sorted({r.status for r in replies})
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log and "database error" not in log, log


def test_eight_writers_on_different_programs_lose_nothing(served):
    port, ids, engine, log_path = served

    def work(tab: Tab, job):
        pid, n = job
        reply = tab.save(pid, "city", f"City {pid}-{n}", tab.versions.get(pid, 1))
        if reply.status == 200:
            tab.versions[pid] = reply.saved_version
        return reply

    replies = run_writers(port, [[(pid, n) for n in range(SAVES)] for pid in ids], work)
    _assert_clean(replies, log_path)
    assert [r.status for r in replies] == [200] * (WRITERS * SAVES)
    for pid in ids:
        assert _log(engine, pid, "city") == [f"City {pid}-{n}" for n in range(SAVES)]
        assert tuple(_stored(engine, pid, "city")) == (f"City {pid}-{SAVES - 1}", 1 + SAVES)


def test_eight_writers_on_one_cell_keep_the_version_check(served):
    port, ids, engine, log_path = served
    target = ids[0]

    def work(tab: Tab, job):
        writer, n = job
        value = f"Writer {writer} save {n}"
        if n == 1:  # once each: a save from the version the program was created with, long gone
            reply = tab.save(target, "city", value, 1)
            reply.sent["stale"] = True
            return reply
        reply = tab.save(target, "city", value, tab.versions.get(target, 1))
        # 200: this save made the next version; 409: another writer saved first, and the answer
        # shows the row as it is now, with its version, to try again from
        if reply.status == 200:
            tab.versions[target] = reply.saved_version
        elif found := VERSION.search(reply.body):
            tab.versions[target] = int(found.group(1))
        return reply

    replies = run_writers(port, [[(w, n) for n in range(SAVES)] for w in range(WRITERS)], work)
    _assert_clean(replies, log_path)

    accepted = sorted((r for r in replies if r.status == 200), key=lambda r: r.saved_version)
    stale = [r for r in replies if r.sent.get("stale")]
    assert stale and all(r.status == 409 for r in stale)
    assert any(r.status == 409 and not r.sent.get("stale") for r in replies)  # real races lost, too
    # every accepted save made the next version, none twice: no two writers saved over the same one
    assert [r.saved_version for r in accepted] == list(range(2, 2 + len(accepted)))
    assert [r.sent["version"] for r in accepted] == list(range(1, 1 + len(accepted)))
    # the change log holds exactly the accepted saves, in the order of their versions, and the
    # stored value is the last of them
    assert _log(engine, target, "city") == [r.sent["value"] for r in accepted]
    assert tuple(_stored(engine, target, "city")) == (accepted[-1].sent["value"], 1 + len(accepted))
