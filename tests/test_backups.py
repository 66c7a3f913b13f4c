"""Backups: made while the server writes, checked before restoring, restored row for row into
the live database, kept daily, downloaded whole."""

import datetime as dt
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade as flask_upgrade

from tracker import create_app
from tracker.backups import (
    RESTORE_MARGIN,
    BackupError,
    UnsupportedDatabase,
    backup_to,
    daily_backup,
    database_path,
    head_revision,
    restore_from,
    verify_backup,
)
from tracker.changes import create_program
from tracker.db import db, write_transaction
from tracker.models import ImportMapping, Program


def live_of(app) -> Path:
    return database_path(app.config["SQLALCHEMY_DATABASE_URI"])


def dump(path) -> dict:
    """Every row of every table (and the schema), read straight from the file."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        schema = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                              "ORDER BY type, name").fetchall()
        tables = [name for kind, name, _ in schema if kind == "table"]
        rows = {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()
    return {"schema": schema, "rows": rows}


def fill(app, client, runner, tmp_path) -> None:
    """Rows in every table the tracker writes: programs and their log, a profile, seasons, an
    import batch and its mapping, a saved view, undo steps."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    client.post("/profile", data={"visa_needed": "J-1", "season_year": "2027", "step2_ck": "231",
                                  "target_specialties": ["internal_medicine"]})
    client.post("/views", data={"name": "Ohio", "query": "f.state=OH"})
    csv = tmp_path / "mine.csv"
    csv.write_text("Program Name,City,State\nLakeview Program,Toledo,OH\nHarbor County Hospital,Erie,PA\n",
                   encoding="utf-8")
    result = runner.invoke(args=["import", str(csv), "--yes"])
    assert result.exit_code == 0, result.output
    client.post("/programs/1/cells/city", data={"value": "Dayton", "version": 1})
    client.post("/programs/2/cells/city", data={"value": "Akron", "version": 1})
    client.post("/undo")
    with app.app_context():
        db.session.add(ImportMapping(signature="program name|city|state", mapping={"0": "name", "1": "city"}))
        db.session.commit()
    with app.app_context():
        year = db.session.execute(sa.text("SELECT year FROM season WHERE current = 1")).scalar()
    client.post("/seasons", data={"year": str(year + 1), "confirm": "yes"})


def version_column(dumped: dict) -> int:
    sql = next(sql for kind, name, sql in dumped["schema"] if kind == "table" and name == "program")
    columns = [line.split()[0] for line in sql.split("(", 1)[1].splitlines() if line.strip()]
    return columns.index("version")


def max_version(dumped: dict) -> int:
    i = version_column(dumped)
    return max(row[i] for row in dumped["rows"]["program"])


def with_versions_raised(dumped: dict, offset: int) -> dict:
    i = version_column(dumped)
    programs = [row[:i] + (row[i] + offset,) + row[i + 1:] for row in dumped["rows"]["program"]]
    return {**dumped, "rows": {**dumped["rows"], "program": sorted(programs, key=repr)}}


def names(path) -> set[str]:
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM program")}
    finally:
        conn.close()


def quiet(app) -> bytes:
    """Close the app's connections (the last one checkpoints the WAL) and read the file."""
    with app.app_context():
        db.engine.dispose()
    return live_of(app).read_bytes()


# -- making a backup ------------------------------------------------------------------------------


def test_a_backup_is_not_held_up_by_a_write_transaction_and_leaves_out_what_is_uncommitted(
        app, make_program, tmp_path):
    make_program(name="Committed Program")
    live = live_of(app)
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE program SET name = 'Uncommitted' WHERE name = 'Committed Program'")
    try:
        started = time.perf_counter()
        dest = backup_to(live, tmp_path / "during-write.sqlite3")
        assert time.perf_counter() - started < 2  # no waiting for the writer
    finally:
        writer.execute("COMMIT")
        writer.close()
    info = verify_backup(dest)
    assert info.programs == 1 and names(dest) == {"Committed Program"}
    assert sqlite3.connect(dest).execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("during-write")) == ["during-write.sqlite3"]


def test_backups_taken_while_threads_write_are_consistent_snapshots(app, tmp_path):
    stop, errors, written = threading.Event(), [], []

    def write(worker: int) -> None:
        with app.app_context():
            i = 0
            while not stop.is_set() and i < 400:
                try:
                    write_transaction()
                    create_program({"name": f"Worker {worker} program {i}", "state": "OH", "visa_j1": "yes"})
                    db.session.commit()
                    written.append(1)
                except Exception as exc:  # noqa: BLE001 - the assertion below reports it
                    errors.append(exc)
                    db.session.rollback()
                i += 1

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    try:
        counts = []
        for k in range(6):
            time.sleep(0.05)
            dest = backup_to(live_of(app), tmp_path / f"busy-{k}.sqlite3")
            info = verify_backup(dest)  # integrity_check ok, our tables, a known revision
            conn = sqlite3.connect(dest)
            # each program and its change log are written in one transaction: a snapshot has
            # both or neither
            orphans = conn.execute("SELECT count(*) FROM program p WHERE NOT EXISTS "
                                   "(SELECT 1 FROM change c WHERE c.program_id = p.id AND c.field = 'name')"
                                   ).fetchone()[0]
            dangling = conn.execute("SELECT count(*) FROM change c WHERE c.program_id IS NOT NULL AND NOT EXISTS "
                                    "(SELECT 1 FROM program p WHERE p.id = c.program_id)").fetchone()[0]
            conn.close()
            assert (orphans, dangling) == (0, 0)
            counts.append(info.programs)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert counts == sorted(counts) and counts[-1] > 0 and len(written) >= counts[-1]


def test_a_failed_backup_leaves_no_file_under_the_final_name(tmp_path):
    not_a_database = tmp_path / "live.sqlite3"
    not_a_database.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupError, match="The backup failed"):
        backup_to(not_a_database, tmp_path / "out" / "backup.sqlite3")
    assert list((tmp_path / "out").iterdir()) == []  # not even the temporary file
    with pytest.raises(BackupError, match="over the database it backs up"):
        backup_to(not_a_database, not_a_database)


def test_only_sqlite_files_are_supported():
    with pytest.raises(UnsupportedDatabase, match="only with a SQLite database; this tracker uses mysql"):
        database_path("mysql://me@localhost/tracker")
    # PostgreSQL: its own tools, with the server and database named and the password left out
    with pytest.raises(UnsupportedDatabase) as raised:
        database_path("postgresql+psycopg://me:secret@db.example:5433/tracker")
    message = str(raised.value)
    assert "pg_dump --format=custom --file=tracker.dump 'postgresql://me@db.example:5433/tracker'" in message
    assert "pg_restore --clean --if-exists --no-owner --dbname='postgresql://me@db.example:5433/tracker'" in message
    assert "secret" not in message
    with pytest.raises(UnsupportedDatabase, match="not an in-memory database"):
        database_path("sqlite://")
    assert database_path("sqlite:////tmp/x/tracker.sqlite3") == Path("/tmp/x/tracker.sqlite3")


# -- restoring ------------------------------------------------------------------------------------


def test_restore_brings_back_every_row_of_every_table_and_keeps_the_replaced_database(
        app, client, runner, make_program, tmp_path):
    fill(app, client, runner, tmp_path)
    live = live_of(app)
    before = dump(live)
    assert {t for t, rows in before["rows"].items() if rows} >= {
        "program", "change", "profile", "season", "import_batch", "import_mapping", "saved_view", "undo_step",
        "alembic_version"}
    backup = tmp_path / "saved.sqlite3"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0

    # life goes on: a program deleted for good, one added, the profile changed
    assert runner.invoke(args=["demo", "--force"]).exit_code == 0
    make_program(name="Added After The Backup")
    client.post("/profile", data={"visa_needed": "H-1B", "season_year": "2028"})
    assert "Added After The Backup" in client.get("/?tier=all").get_data(as_text=True)
    after = dump(live)
    assert after != before

    declined = runner.invoke(args=["restore", str(backup)], input="n\n")
    assert declined.exit_code == 0 and "Nothing was changed." in declined.output
    assert dump(live) == after

    result = runner.invoke(args=["restore", str(backup)], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Replace everything in" in result.output and "Upgraded" not in result.output
    # exactly every row of every table, and the schema; only the programs' versions are moved past
    # every version the replaced database gave (tests/test_restore_never_reuses.py)
    # (past those demo --force deleted, too: kept in high_water), a floor kept there for the next restore
    offset = max([max_version(after), *(value for _, value in after["rows"]["high_water"])]) + RESTORE_MARGIN
    expected = with_versions_raised(before, offset)
    expected["rows"]["high_water"] = [("version", offset)]
    assert dump(live) == expected
    kept, = (Path(app.instance_path) / "backups").glob("before-restore-*.sqlite3")
    assert f"The previous database is kept in {kept}." in result.output
    assert len(kept.name) == len("before-restore-20260101-120000.sqlite3")
    assert dump(kept) == after  # the replaced database, row for row
    verify_backup(kept)
    assert "Added After The Backup" not in client.get("/?tier=all").get_data(as_text=True)


def test_an_app_holding_the_database_open_sees_the_restored_rows_on_its_next_request(
        app, client, make_program, tmp_path):
    make_program(name="Before The Backup")
    backup = backup_to(live_of(app), tmp_path / "b.sqlite3")
    make_program(name="After The Backup")
    assert "After The Backup" in client.get("/?tier=all").get_data(as_text=True)
    with app.app_context():
        assert db.engine.pool.checkedin() >= 1  # a pooled connection stays open on the live file

    result = restore_from(backup, live_of(app), Path(app.instance_path) / "backups")

    assert result.previous is not None and names(result.previous) == {"Before The Backup", "After The Backup"}
    page = client.get("/?tier=all").get_data(as_text=True)
    assert "Before The Backup" in page and "After The Backup" not in page
    with app.app_context():  # and it writes on: the restored file is a working WAL database
        db.session.execute(sa.text("SELECT 1"))
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    make_program(name="After The Restore")
    assert names(live_of(app)) == {"Before The Backup", "After The Restore"}


def _real_backup(app, tmp_path) -> Path:
    return backup_to(live_of(app), tmp_path / "good.sqlite3")


def _not_sqlite(app, tmp_path):
    p = tmp_path / "list.sqlite3"
    p.write_text("Program Name,State\nLakeview Program,OH\n", encoding="utf-8")
    return p


def _empty(app, tmp_path):
    p = tmp_path / "empty.sqlite3"
    p.write_bytes(b"")
    return p


def _truncated(app, tmp_path):
    data = _real_backup(app, tmp_path).read_bytes()
    p = tmp_path / "truncated.sqlite3"
    p.write_bytes(data[: len(data) // 2])
    return p


def _damaged(app, tmp_path):
    good = _real_backup(app, tmp_path)
    conn = sqlite3.connect(good)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'program'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(good.read_bytes())
    start = (root - 1) * page_size
    data[start:start + page_size] = b"\xa5" * page_size  # the program table's b-tree page, overwritten
    p = tmp_path / "damaged.sqlite3"
    p.write_bytes(bytes(data))
    return p


def _not_ours(app, tmp_path):
    p = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(p)
    conn.execute("CREATE TABLE recipe (name TEXT)")
    conn.commit()
    conn.close()
    return p


def _newer(app, tmp_path):
    p = _real_backup(app, tmp_path)
    conn = sqlite3.connect(p)
    conn.execute("UPDATE alembic_version SET version_num = '0042_from_the_future'")
    conn.commit()
    conn.close()
    return p


@pytest.mark.parametrize("make_file, message", [
    (_not_sqlite, "list.sqlite3 is not a SQLite database"),
    (_empty, "empty.sqlite3 is empty (0 bytes)"),
    (_truncated, "truncated.sqlite3 is damaged: it is cut short"),
    (_damaged, "damaged.sqlite3 is damaged"),
    (_not_ours, ("other.sqlite3 is a SQLite database but not a Residency Tracker one "
                 "(it has no program, change, alembic_version table)")),
    (_newer, ("was made by a newer version of the Residency Tracker (its database is at revision "
              "0042_from_the_future; this version knows up to")),
])
def test_a_bad_file_is_refused_with_its_reason_and_the_live_database_is_untouched(
        app, runner, make_program, tmp_path, make_file, message):
    make_program(name="Mine")
    bad = make_file(app, tmp_path)
    live_bytes = quiet(app)
    siblings = sorted(p.name for p in live_of(app).parent.iterdir())

    result = runner.invoke(args=["restore", str(bad), "--yes"])

    assert result.exit_code == 1
    assert message in result.output and "Nothing was changed." in result.output
    assert live_of(app).read_bytes() == live_bytes  # byte for byte
    assert sorted(p.name for p in live_of(app).parent.iterdir()) == siblings
    assert not list(Path(app.instance_path).glob("backups/before-restore-*"))
    with pytest.raises(BackupError, match=message.split(" (")[0][:40]):
        restore_from(bad, live_of(app), Path(app.instance_path) / "backups")
    assert live_of(app).read_bytes() == live_bytes


def test_a_backup_with_another_page_size_is_refused_before_anything_changes(app, make_program, tmp_path):
    make_program(name="Mine")
    source = sqlite3.connect(live_of(app))
    source.execute("VACUUM INTO ?", (str(tmp_path / "vac.sqlite3"),))  # a copy in rollback mode
    source.close()
    vac = sqlite3.connect(tmp_path / "vac.sqlite3")
    vac.execute("PRAGMA page_size = 8192")
    vac.execute("VACUUM")
    vac.close()
    assert verify_backup(tmp_path / "vac.sqlite3").page_size == 8192
    live_bytes = quiet(app)
    with pytest.raises(BackupError, match="8192-byte pages and the live database 4096-byte pages"):
        restore_from(tmp_path / "vac.sqlite3", live_of(app), tmp_path / "kept")
    assert live_of(app).read_bytes() == live_bytes and not (tmp_path / "kept").exists()


def test_a_backup_from_an_older_version_is_restored_and_upgraded(app, runner, make_program, tmp_path, monkeypatch):
    make_program(name="Current Program")
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "old-instance"))
    old_app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with old_app.app_context():
        flask_upgrade(revision="0008")
        db.session.execute(sa.text(
            "INSERT INTO program (id, name, version, created_at, updated_at, visa_j1, visa_h1b, usce_required,"
            " mission_tags, status, email_status, signal_sent, season_id)"
            " VALUES (1, 'Old Program', 1, '2026-01-01', '2026-01-01', 'yes', 'no', 'unknown', '', 'applied',"
            " 'not_contacted', 'no', 1)"))
        db.session.commit()
        db.engine.dispose()
    old = backup_to(tmp_path / "old.sqlite3", tmp_path / "old-backup.sqlite3")
    assert verify_backup(old).revision == "0008"

    result = runner.invoke(args=["restore", str(old), "--yes"])

    assert result.exit_code == 0, result.output
    assert f"Upgraded the restored database from schema revision 0008 to {head_revision()}." in result.output
    with app.app_context():
        assert db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        assert [p.name for p in db.session.scalars(sa.select(Program))] == ["Old Program"]


# -- the daily backup -----------------------------------------------------------------------------


def test_the_daily_backup_makes_one_file_a_day_and_keeps_the_newest_seven(app, make_program, tmp_path):
    make_program(name="Mine")
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "before-restore-20250101-090000.sqlite3").write_bytes(b"kept forever")
    (folder / "my-own-copy.sqlite3").write_bytes(b"not ours to delete")
    start = dt.date(2026, 3, 1)
    for i in range(10):
        made = daily_backup(live_of(app), folder, keep=7, today=start + dt.timedelta(days=i))
        assert made == folder / f"daily-{start + dt.timedelta(days=i):%Y-%m-%d}.sqlite3"
        assert daily_backup(live_of(app), folder, keep=7, today=start + dt.timedelta(days=i)) is None  # once a day
    dailies = sorted(p.name for p in folder.glob("daily-*"))
    assert dailies == [f"daily-2026-03-{d:02d}.sqlite3" for d in range(4, 11)]
    assert (folder / "before-restore-20250101-090000.sqlite3").read_bytes() == b"kept forever"
    assert (folder / "my-own-copy.sqlite3").exists()
    assert names(folder / "daily-2026-03-10.sqlite3") == {"Mine"}
    verify_backup(folder / "daily-2026-03-10.sqlite3")


def test_the_first_request_of_the_day_makes_the_daily_backup_in_the_instance_folder(
        app, client, make_program, monkeypatch):
    import tracker.views.backups as views

    make_program(name="Mine")
    calls = []
    real = views.daily_backup
    monkeypatch.setattr(views, "daily_backup", lambda *a, **k: calls.append(k) or real(*a, **k))
    client.get("/")
    client.get("/today")
    client.get("/backups")
    assert len(calls) == 1 and calls[0]["keep"] == 7  # at most once per process and day
    folder = Path(app.instance_path) / "backups"
    assert [p.name for p in folder.iterdir()] == [f"daily-{dt.date.today():%Y-%m-%d}.sqlite3"]
    assert names(folder / f"daily-{dt.date.today():%Y-%m-%d}.sqlite3") == {"Mine"}


def test_the_daily_backup_can_be_switched_off(app, client):
    app.config["TRACKER_DAILY_BACKUP"] = False
    client.get("/")
    assert not (Path(app.instance_path) / "backups").exists()
    assert "The daily backup is switched off" in " ".join(client.get("/backups").get_data(as_text=True).split())


# -- downloading ----------------------------------------------------------------------------------


def test_the_download_is_a_fresh_whole_database(app, client, make_program, tmp_path):
    make_program(name="Downloaded Program")
    response = client.get("/backup.sqlite3")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        f"attachment; filename=residency-tracker-{dt.date.today():%Y-%m-%d}.sqlite3"
    assert response.headers["Cache-Control"] == "no-store" and response.mimetype == "application/vnd.sqlite3"
    saved = tmp_path / "downloaded.sqlite3"
    saved.write_bytes(response.get_data())
    assert verify_backup(saved).programs == 1 and names(saved) == {"Downloaded Program"}
    assert not list(Path(app.instance_path).glob(".download-*"))  # no temporary file left behind


def test_the_backups_page_lists_the_kept_backups_with_the_download_button(app, client, make_program):
    make_program(name="Mine")
    page = client.get("/backups")
    text = page.get_data(as_text=True)
    today = f"daily-{dt.date.today():%Y-%m-%d}.sqlite3"
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert 'href="/backup.sqlite3"' in text and "Download the whole database" in text
    assert f'href="/backups/{today}"' in text and "daily" in text and "kB</td>" in text
    assert '<a href="/backups" aria-current="page">Backups</a>' in text
    assert " style=" not in text and "<script>" not in text
    stored = client.get(f"/backups/{today}")
    assert stored.status_code == 200 and stored.get_data().startswith(b"SQLite format 3\x00")
    for name in ("secret_key", "..%2Fsecret_key", "daily-2020-01-01.sqlite3"):
        assert client.get(f"/backups/{name}").status_code == 404


# -- the command line -----------------------------------------------------------------------------


def test_backup_command_prints_the_path_and_size_and_does_not_overwrite(app, runner, make_program, tmp_path):
    make_program(name="Mine")
    dest = tmp_path / "copies" / "mine.sqlite3"
    result = runner.invoke(args=["backup", str(dest)])
    assert result.exit_code == 0, result.output
    assert f"to {dest} (" in result.output and " kB, " in result.output
    assert names(dest) == {"Mine"}
    again = runner.invoke(args=["backup", str(dest)])
    assert again.exit_code == 1 and "exists; choose another name or add --force" in again.output
    assert runner.invoke(args=["backup", str(dest), "--force"]).exit_code == 0
    live = runner.invoke(args=["backup", str(live_of(app)), "--force"])
    assert live.exit_code == 1 and "can't be written over the database it backs up" in live.output


def test_restore_command_shows_what_the_backup_holds_before_asking(app, runner, make_program, tmp_path):
    make_program(name="Mine")
    backup = backup_to(live_of(app), tmp_path / "b.sqlite3")
    result = runner.invoke(args=["restore", str(backup)], input="\n")  # Enter: the default is no
    assert result.exit_code == 0
    assert "a Residency Tracker database of" in result.output and "with 1 programs" in result.output
    assert "[y/N]" in result.output and "Nothing was changed." in result.output
    assert not (Path(app.instance_path) / "backups").exists()
    missing = runner.invoke(args=["restore", str(tmp_path / "nope.sqlite3"), "--yes"])
    assert missing.exit_code == 1 and "There is no file" in missing.output
