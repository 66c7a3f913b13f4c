"""Crashes lose nothing and leave nothing half done: `tracker import` killed (SIGKILL) while it
is writing a large import leaves the database intact, without the import, and otherwise as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TRACKER = Path(sys.executable).parent / "tracker"
BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
ROWS = 13_000  # about 20 s to apply on a small machine; it is killed a few seconds in
KILL_AT_WAL_BYTES = 8 * 2**20  # uncommitted pages the import has written to the WAL when it is killed
GIVE_UP_AFTER = 60  # seconds


def dump(path: Path) -> dict[str, list]:
    """Every table's schema and rows (in rowid order), from a fresh connection."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        tables = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        result = {"sqlite_master": conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()}
        for name, _ in tables:
            result[name] = conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
        return result
    finally:
        conn.close()


def check(path: Path, filename: str) -> tuple[str, int, int]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        batches = conn.execute("SELECT count(*) FROM import_batch WHERE filename = ?", (filename,)).fetchone()[0]
        programs = conn.execute("SELECT count(*) FROM program").fetchone()[0]
        return "\n".join(row[0] for row in integrity), batches, programs
    finally:
        conn.close()


def test_an_import_killed_while_writing_leaves_the_database_as_it_was(tmp_path):
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from bench_import import write_freida_xlsx
    finally:
        sys.path.remove(str(BENCHMARKS))

    instance = tmp_path / "instance"
    env = {**os.environ, "TRACKER_INSTANCE_PATH": str(instance)}
    env.pop("TRACKER_DATABASE_URL", None)
    env.pop("TRACKER_SECRET_KEY", None)
    subprocess.run([TRACKER, "init-db"], env=env, check=True, capture_output=True, timeout=60)
    subprocess.run([TRACKER, "demo"], env=env, check=True, capture_output=True, timeout=60)
    db_path = instance / "tracker.sqlite3"
    wal = db_path.with_name(db_path.name + "-wal")
    before = dump(db_path)
    programs_before = len(before["program"])
    assert programs_before == 40 and before["change"] and before["import_batch"] == []

    big = tmp_path / "freida_big.xlsx"
    write_freida_xlsx(big, ROWS)

    err_path, out_path = tmp_path / "import.err", tmp_path / "import.out"
    with err_path.open("wb") as err, out_path.open("wb") as out:
        importer = subprocess.Popen([TRACKER, "import", big, "--yes"], env=env, stdout=out, stderr=err)
    start = time.monotonic()
    try:
        # Wait for the progress bar (the transaction has begun), then for the import's own pages
        # in the WAL (the demo's were checkpointed when it closed): it is writing.
        while True:
            elapsed = time.monotonic() - start
            writing = "Importing" in err_path.read_text(errors="replace")
            wal_bytes = wal.stat().st_size if wal.exists() else 0
            if writing and wal_bytes >= KILL_AT_WAL_BYTES:
                break
            if importer.poll() is not None:
                pytest.fail(f"the import ended (exit {importer.returncode}) before it could be killed after "
                            f"{elapsed:.1f}s: make the file bigger than {ROWS} rows or kill it earlier.\n"
                            f"{out_path.read_text()}{err_path.read_text()}")
            if elapsed > GIVE_UP_AFTER:
                pytest.fail(f"the import was not writing after {elapsed:.0f}s (WAL {wal_bytes} bytes)")
            time.sleep(0.05)
        assert importer.poll() is None
        os.kill(importer.pid, signal.SIGKILL)
        assert importer.wait(timeout=10) == -signal.SIGKILL
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait(timeout=10)
    print(f"\nkilled the import {elapsed:.1f}s after it started, with {wal_bytes / 2**20:.1f} MB in the WAL; "
          f"its last words: {out_path.read_text().strip().splitlines()[-1]!r} / {err_path.read_text().strip()!r}")
    assert "Imported" not in out_path.read_text()

    # A fresh connection recovers the database from the WAL: the import's uncommitted pages are dropped.
    integrity, batches, programs = check(db_path, big.name)
    print(f"after the kill: integrity_check {integrity!r}, {batches} import batches for the file, "
          f"{programs} programs (before: {programs_before})")
    assert (integrity, batches, programs) == ("ok", 0, programs_before)
    assert dump(db_path) == before

    # Restarting the tracker (what `make run` does first) finds the same database.
    restarted = subprocess.run([TRACKER, "init-db"], env=env, capture_output=True, text=True, timeout=60)
    assert restarted.returncode == 0, restarted
    assert check(db_path, big.name) == ("ok", 0, programs_before)
    assert dump(db_path) == before
