"""Backups of the SQLite database: make one, check one, restore one, keep a daily one.

Only SQLite is supported: every function here works on database *files*; on PostgreSQL they
raise UnsupportedDatabase saying which pg_dump and pg_restore commands to use instead
(``postgres_advice``), through SQLite's
online backup API (``sqlite3.Connection.backup``). A backup is read from its own connection in
one step, so it is a consistent snapshot of the last committed state even while the server
writes (under WAL, readers never wait for writers). Restoring copies a backup *into* the live
file through the same API, so connections the server holds open see the restored data on
their next transaction, as they would see any other write; no file is swapped under them.

No Flask here: the functions take paths (and ``database_path`` turns a SQLAlchemy URL or
engine into one), so the CLI, the web views and the tests share them.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"

REQUIRED_TABLES = ("program", "change", "alembic_version")
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 10.0
DAILY_KEEP = 7

DAILY_RE = re.compile(r"^daily-(\d{4}-\d{2}-\d{2})\.sqlite3$")
BEFORE_RESTORE_PREFIX = "before-restore-"


class BackupError(Exception):
    """A backup that can't be made, read or restored; the message says why, for a person."""


class UnsupportedDatabase(BackupError):
    """The database is not a SQLite file (another server, or an in-memory database)."""


@dataclass(frozen=True)
class BackupInfo:
    """What a verified backup holds."""

    path: Path
    size: int
    revision: str
    page_size: int
    tables: dict[str, int] = field(default_factory=dict)  # table -> row count

    @property
    def programs(self) -> int:
        return self.tables.get("program", 0)

    @property
    def changes(self) -> int:
        return self.tables.get("change", 0)


@dataclass(frozen=True)
class RestoreResult:
    info: BackupInfo  # the backup that was restored
    previous: Path | None  # where the database it replaced was kept (None: there was none)


# -- paths -------------------------------------------------------------------------------------


def database_path(url_or_engine) -> Path:
    """The file of a SQLite database given its SQLAlchemy URL (str or URL) or engine.

    Raises UnsupportedDatabase for anything else: backups here copy SQLite files; a server
    database (PostgreSQL, MySQL) has its own tools (pg_dump, mysqldump).
    """
    from sqlalchemy.engine import make_url

    url = make_url(getattr(url_or_engine, "url", url_or_engine))
    if url.get_backend_name() == "postgresql":
        raise UnsupportedDatabase(postgres_advice(url))
    if url.get_backend_name() != "sqlite":
        raise UnsupportedDatabase(
            f"Backups work only with a SQLite database; this tracker uses {url.get_backend_name()}. "
            "Use that database's own backup tool.")
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or url.query.get("mode") == "memory":
        raise UnsupportedDatabase("Backups work only with a SQLite database file, not an in-memory database.")
    return Path(database).expanduser().resolve()


def postgres_advice(url) -> str:
    """What to back up and restore a PostgreSQL tracker with: its own tools, pg_dump and pg_restore
    (the tracker's copies are of SQLite files). The commands name the server and database of ``url``,
    never its password (pg_dump reads that from ~/.pgpass or PGPASSWORD)."""
    from sqlalchemy.engine import URL, make_url

    url = make_url(url)
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database)
    target = plain.render_as_string(hide_password=False)
    return (f"This tracker keeps its data in PostgreSQL (database {url.database or '?'} on "
            f"{url.host or 'the local server'}), not in a file, so the tracker makes no copies of it "
            "(the daily backup is off). Back it up with PostgreSQL's own tool: "
            f"pg_dump --format=custom --file=tracker.dump '{target}'. "
            f"Restore it with: pg_restore --clean --if-exists --no-owner --dbname='{target}' tracker.dump "
            "(stop the tracker's workers first), then run tracker init-db to bring an older dump to "
            "this version's schema.")


def is_postgres(url_or_engine) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(getattr(url_or_engine, "url", url_or_engine)).get_backend_name() == "postgresql"


@functools.cache
def known_revisions(migrations_dir: str | None = None) -> tuple[str, ...]:
    """The schema revisions this version of the tracker knows, newest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(migrations_dir or str(MIGRATIONS_DIR))
    return tuple(r.revision for r in script.walk_revisions())


def head_revision() -> str:
    return known_revisions()[0]


# -- making a backup ---------------------------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not every platform opens folders
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def backup_to(live_path: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """Copy the live database into ``dest`` (replaced if it exists) and return its path.

    The copy is written under a temporary name in the same folder and renamed when complete,
    so a half-written backup never carries the final name. It is a single self-contained file
    (rollback journal mode, no -wal beside it).
    """
    live, dest = Path(live_path), Path(dest).expanduser().resolve()
    if not live.is_file():
        raise BackupError(f"There is no database at {live} to back up.")
    if _same_file(live, dest) or dest == live.resolve():
        raise BackupError("The backup can't be written over the database it backs up.")
    if dest.exists() and not dest.is_file():
        raise BackupError(f"{dest} is a folder, not a file name.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        source = sqlite3.connect(live, timeout=BUSY_TIMEOUT_S)
        try:
            target = sqlite3.connect(tmp)
            try:
                # pages=-1: every page in one step, under one read transaction, so the copy is
                # one consistent snapshot (copying in steps restarts whenever another
                # connection writes, and might never finish on a busy server).
                source.backup(target, pages=-1)
                target.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal to carry along
            finally:
                target.close()
        finally:
            source.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    except (sqlite3.Error, OSError) as exc:  # a full disk, a folder we may not write to
        raise BackupError(f"The backup failed: {exc}.") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    return dest


# -- checking a backup -------------------------------------------------------------------------


def _header_problem(path: Path, size: int) -> str | None:
    """A quick look at the 100-byte header: is it SQLite at all, is the file all there?"""
    with open(path, "rb") as fh:
        header = fh.read(100)
    if not header.startswith(SQLITE_MAGIC):
        return f"{path.name} is not a SQLite database (a tracker backup is a .sqlite3 file)."
    if len(header) < 100:
        return f"{path.name} is damaged: it is cut short ({size} bytes)."
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    change_counter, valid_for = header[24:28], header[92:96]
    if pages and change_counter == valid_for and size < page_size * pages:
        return (f"{path.name} is damaged: it is cut short ({size:,} bytes of the {page_size * pages:,} it "
                "should have), probably by an interrupted copy or download.")
    return None


def _open_readonly(path: Path) -> sqlite3.Connection:
    """Open a backup for reading without writing anything beside it.

    A file in WAL mode (a copy of a live database) would get -wal and -shm files created
    next to it by a read-only connection; when it has no -wal with content, it is opened
    immutable instead, which reads the file alone.
    """
    with open(path, "rb") as fh:
        wal_mode = fh.read(20)[18:20] == b"\x02\x02"
    wal = Path(f"{path}-wal")
    immutable = wal_mode and not (wal.exists() and wal.stat().st_size)
    return sqlite3.connect(f"{path.resolve().as_uri()}?{'immutable=1' if immutable else 'mode=ro'}", uri=True,
                           timeout=BUSY_TIMEOUT_S)


def verify_backup(path: str | os.PathLike) -> BackupInfo:
    """Check that ``path`` is a whole, undamaged tracker database this version can open.

    Runs PRAGMA integrity_check, looks for the tracker's tables and a schema revision this
    version knows. Raises BackupError with the reason otherwise. Reads only: the file is
    opened read-only.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise BackupError(f"There is no file {path}.")
    if not path.is_file():
        raise BackupError(f"{path} is a folder, not a backup file.")
    size = path.stat().st_size
    if size == 0:
        raise BackupError(f"{path.name} is empty (0 bytes): it is not a backup.")
    if problem := _header_problem(path, size):
        raise BackupError(problem)
    try:
        conn = _open_readonly(path)
    except sqlite3.Error as exc:
        raise BackupError(f"{path.name} can't be opened: {exc}.") from exc
    try:
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path.name} is damaged ({exc}); it can't be restored.") from exc
        if problems != ["ok"]:
            detail = "; ".join(problems[:3]) + ("…" if len(problems) > 3 else "")
            raise BackupError(f"{path.name} is damaged (SQLite's integrity check found: {detail}); "
                              "it can't be restored.")
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise BackupError(f"{path.name} is a SQLite database but not a Residency Tracker one "
                              f"(it has no {', '.join(missing)} table).")
        revisions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        if len(revisions) != 1:
            raise BackupError(f"{path.name} has no single schema revision ({revisions or 'none'}); it can't "
                              "be restored.")
        revision = revisions[0]
        if revision not in known_revisions():
            raise BackupError(f"{path.name} was made by a newer version of the Residency Tracker (its database "
                              f"is at revision {revision}; this version knows up to {head_revision()}). Update "
                              "the tracker, then restore it.")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} can't be read ({exc}); it can't be restored.") from exc
    finally:
        conn.close()
    return BackupInfo(path=path, size=size, revision=revision, page_size=page_size, tables=counts)


# -- restoring ---------------------------------------------------------------------------------


def _wal_page_size(path: Path) -> int | None:
    """The page size of a database file in WAL mode, from its header (None if the file is
    missing or not in WAL mode: then the backup API can change its page size)."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(20)
    except FileNotFoundError:
        return None
    if not header.startswith(SQLITE_MAGIC) or len(header) < 20 or header[18:20] != b"\x02\x02":
        return None
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


def _stamped(folder: Path, prefix: str, when: dt.datetime) -> Path:
    base = f"{prefix}{when:%Y%m%d-%H%M%S}"
    candidate, n = folder / f"{base}.sqlite3", 2
    while candidate.exists():  # two restores within a second
        candidate, n = folder / f"{base}-{n}.sqlite3", n + 1
    return candidate


# What a database has given out and a restore must not give again: each table's ids (SQLite's
# AUTOINCREMENT counter, migration 0013) and the programs' row versions, which the grid's tabs
# hold to refuse a stale save.
ID_TABLES = ("program", "change", "import_batch", "undo_step")
# The marks are read just before the copy, which can't take the live database's write lock first:
# what the server writes in between (at most one import of 20,000 rows: fewer than a million
# change-log entries) is covered by raising every mark by this much more. Gaps in ids cost nothing.
RESTORE_MARGIN = 1_000_000


def high_water(conn: sqlite3.Connection) -> dict[str, int]:
    """The largest id of each of ID_TABLES ever given (its AUTOINCREMENT counter, or its largest
    id) and the largest program version (of the programs there, or kept in high_water from those
    gone), in the database ``conn`` reads."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    marks: dict[str, int] = {}
    for table in ID_TABLES:
        if table in tables:
            marks[table] = conn.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchone()[0]
    if "sqlite_sequence" in tables:
        for name, seq in conn.execute("SELECT name, seq FROM sqlite_sequence"):
            if name in marks:
                marks[name] = max(marks[name], seq or 0)
    if "program" in tables:
        marks["version"] = conn.execute("SELECT coalesce(max(version), 0) FROM program").fetchone()[0]
    if "high_water" in tables:  # the versions of programs that are gone (an earlier restore, demo --force)
        kept = conn.execute("SELECT value FROM high_water WHERE name = 'version'").fetchone()
        marks["version"] = max(marks.get("version", 0), kept[0] if kept else 0)
    return marks


def raise_high_water(conn: sqlite3.Connection, marks: dict[str, int], margin: int = RESTORE_MARGIN) -> None:
    """Make the database ``conn`` writes give out only what is beyond ``marks`` (high_water of the
    database it replaces, plus ``margin``): each id counter raised to at least the mark, and every
    program's version moved past the largest version given before, so a tab holding any earlier
    version of any program is refused (409) rather than matched. The caller commits."""
    autoincrement = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'")}
    for table in ID_TABLES:
        if not marks.get(table):
            continue
        mark = marks[table] + margin
        if table not in autoincrement:
            raise BackupError(f"The {table} table reuses ids; upgrade the database before restoring into it.")
        updated = conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (mark, table))
        if not updated.rowcount:
            conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, mark))
    if marks.get("version"):
        floor = marks["version"] + margin
        conn.execute("UPDATE program SET version = version + ?", (floor,))
        # kept for the next restore, even if every program is deleted before it
        conn.execute("INSERT INTO high_water (name, value) VALUES ('version', ?) ON CONFLICT (name) "
                     "DO UPDATE SET value = max(value, excluded.value)", (floor,))


def _live_high_water(live: Path) -> dict[str, int]:
    if not live.is_file() or not live.stat().st_size:
        return {}
    conn = sqlite3.connect(f"{live.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        return high_water(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"The live database can't be read ({exc}); nothing was changed.") from exc
    finally:
        conn.close()


def restore_from(path: str | os.PathLike, live_path: str | os.PathLike, folder: str | os.PathLike,
                 now: dt.datetime | None = None, prepare=None) -> RestoreResult:
    """Replace the live database's content with the backup at ``path``.

    Verifies the backup first (nothing is touched if it fails), keeps the current database as
    ``folder/before-restore-YYYYMMDD-HHMMSS.sqlite3``, then stages a copy of the backup beside it:
    ``prepare(staged_path)`` (if given) brings it to the current schema, and what the live
    database had given out (its ids and row versions, ``high_water``) is raised in it, so nothing
    given before the restore is given again. The staged copy is then copied into the live file
    with the backup API, under SQLite's own locks, in one step: safe while the server runs.
    """
    info = verify_backup(path)
    live, folder = Path(live_path), Path(folder)
    if _same_file(Path(path), live):
        raise BackupError("That file is the live database itself; there is nothing to restore.")
    live_page_size = _wal_page_size(live)
    if live_page_size and live_page_size != info.page_size:
        raise BackupError(f"{Path(path).name} uses {info.page_size}-byte pages and the live database "
                          f"{live_page_size}-byte pages; SQLite can't copy it in while the database is in WAL "
                          "mode. Nothing was changed.")
    previous = None
    if live.is_file() and live.stat().st_size:
        previous = backup_to(live, _stamped(folder, BEFORE_RESTORE_PREFIX, now or dt.datetime.now()))
    live.parent.mkdir(parents=True, exist_ok=True)
    kept = f" The database as it was is kept in {previous}." if previous else ""
    staged = folder / f".restoring-{os.getpid()}-{dt.datetime.now():%H%M%S%f}.sqlite3"
    try:
        backup_to(path, staged)
        if prepare is not None:
            prepare(staged)
        marks = _live_high_water(live)
        conn = sqlite3.connect(staged, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            raise_high_water(conn, marks)
            conn.execute("COMMIT")
        finally:
            conn.close()
        source = sqlite3.connect(staged)
        try:
            target = sqlite3.connect(live, timeout=BUSY_TIMEOUT_S)
            try:
                source.backup(target, pages=-1)
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"The restore failed: {exc}.{kept}") from exc
    except BackupError as exc:
        raise BackupError(f"{exc}{kept}") from exc
    finally:
        for leftover in (staged, Path(f"{staged}-journal"), Path(f"{staged}-wal"), Path(f"{staged}-shm")):
            leftover.unlink(missing_ok=True)
    return RestoreResult(info=info, previous=previous)


# -- the daily backup --------------------------------------------------------------------------


def daily_name(day: dt.date) -> str:
    return f"daily-{day:%Y-%m-%d}.sqlite3"


def daily_backup(live_path: str | os.PathLike, folder: str | os.PathLike, keep: int = DAILY_KEEP,
                 today: dt.date | None = None) -> Path | None:
    """Write ``folder/daily-YYYY-MM-DD.sqlite3`` unless today's exists, then keep only the
    newest ``keep`` daily files (other files, such as before-restore copies, are never
    deleted). Returns the new backup's path, or None when there was nothing to do."""
    live, folder = Path(live_path), Path(folder)
    today = today or dt.date.today()
    target = folder / daily_name(today)
    if target.exists() or not live.is_file() or not live.stat().st_size:
        return None
    made = backup_to(live, target)
    prune_daily(folder, keep)
    return made


def prune_daily(folder: str | os.PathLike, keep: int = DAILY_KEEP) -> list[Path]:
    """Delete the oldest daily backups beyond ``keep`` (at least one is kept); returns what was deleted."""
    dailies = sorted((m.group(1), p) for p in Path(folder).iterdir() if p.is_file() and (m := DAILY_RE.match(p.name)))
    doomed = [p for _, p in dailies[:-max(keep, 1)]]  # today's is always kept
    for p in doomed:
        p.unlink(missing_ok=True)
    return doomed


@dataclass(frozen=True)
class StoredBackup:
    name: str
    size: int
    modified: dt.datetime
    kind: str  # "daily", "before restore" or "other"


def list_backups(folder: str | os.PathLike) -> list[StoredBackup]:
    """The finished backups in ``folder``, newest first (temporary .partial files left out)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for p in folder.iterdir():
        if not p.is_file() or p.name.startswith(".") or not p.name.endswith(".sqlite3"):
            continue
        stat = p.stat()
        kind = ("daily" if DAILY_RE.match(p.name) else
                "before restore" if p.name.startswith(BEFORE_RESTORE_PREFIX) else "other")
        found.append(StoredBackup(p.name, stat.st_size, dt.datetime.fromtimestamp(stat.st_mtime), kind))
    return sorted(found, key=lambda b: (b.modified, b.name), reverse=True)
