"""The database handle and the settings a web app needs, on SQLite (the default) or PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session


class Base(DeclarativeBase):
    pass


# Objects stay loaded after a commit: a cell save renders the row it just wrote without reading
# it back (the version column is updated in memory by the flush).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

BUSY_TIMEOUT_MS = 10_000


def configure_sqlite(engine: Engine, max_pages: int | None = None) -> None:
    """WAL, a busy timeout and foreign keys on every connection; writes begin IMMEDIATE.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's ``begin`` is
    the only place a transaction starts: a plain ``BEGIN`` for readers, ``BEGIN IMMEDIATE``
    for a session opened with ``write_transaction()``, so that a read-then-write never
    loses an update (or fails with SQLITE_BUSY) under WAL. ``max_pages`` caps the database's
    size (TRACKER_SQLITE_MAX_PAGES; the tests use it to stand in for a full disk).
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        if max_pages:
            cursor.execute(f"PRAGMA max_page_count = {int(max_pages)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # on the driver's own connection: SQLAlchemy's execution of a statement cost more than the
        # BEGIN itself, on every request that reads or writes (issue #20)
        mode = connection.get_execution_options().get("sqlite_begin", "")
        statement = "BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN"
        try:
            connection.connection.driver_connection.execute(statement)
        except sqlite3.Error as exc:  # as SQLAlchemy raises it: "database is locked" after the busy timeout is a 503
            raise sa_exc.DBAPIError.instance(statement, (), exc, sqlite3.Error, dialect=connection.dialect) from exc


def configure_postgresql(engine: Engine) -> None:
    """PostgreSQL's text can't hold a NUL character (SQLite's can): every string the tracker sends it
    has its NULs replaced by U+FFFD, the character the export writes for them, instead of the
    statement failing (a sign-in or a cell with one answered 500)."""
    if engine.dialect.name != "postgresql":
        return
    from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

    class _Text(StrDumperUnknown):
        def dump(self, obj: str):
            return super().dump(obj.replace("\x00", "\ufffd"))

    class _BinaryText(StrBinaryDumper):
        def dump(self, obj: str):
            return super().dump(obj.replace("\x00", "\ufffd"))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.adapters.register_dumper(str, _Text)
        dbapi_connection.adapters.register_dumper(str, _BinaryText)


# Writers of this process queue here, in the order they come, before they take SQLite's write
# lock: a writer that finds the database locked waits in SQLite's busy handler, which sleeps in
# growing steps (up to 100 ms), and that made the slowest saves under load 15 times slower than
# the rest. Other processes (a `tracker import` beside the server) still meet the busy timeout.
_writer = threading.Lock()
_HOLDS = "tracker.holds_writer_lock"


# PostgreSQL's stand-in for BEGIN IMMEDIATE: a transaction-scoped advisory lock that every write
# transaction takes first, whatever process or gunicorn worker it runs in: one per owner (the
# applicant whose rows it writes; 0 for the one-person tracker and for accounts' own writes).
# An applicant's writers take turns as they do on SQLite, so a read-then-write (a version check,
# the next undo step) reads what the writer before it committed; readers never wait for it, and
# two applicants' saves, which touch none of the same rows, never wait for each other. The
# high-water mark, the one row every owner writes, takes the whole tracker's lock as well
# (changes.keep_version_high_water).
PG_WRITE_LOCK_KEY = 0x7472_6B72  # "trkr"


def write_transaction() -> None:
    """Open the current session's transaction as a write (BEGIN IMMEDIATE on SQLite, the
    tracker's advisory write lock on PostgreSQL).

    Call it before the first query of a request that will write. Either lock (on SQLite with the
    process's writer lock before it) is held until the transaction ends (commit, rollback or the
    end of the request). A writer that waits longer than the busy timeout fails with
    OperationalError (503, nothing saved).
    """
    session = db.session()
    if session.get_bind().dialect.name == "postgresql":
        _take_postgres_write_lock(session)
        return
    if session.in_transaction():
        session.commit()
    got = _writer.acquire(timeout=BUSY_TIMEOUT_MS / 1000)
    session.info[_HOLDS] = got
    try:
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    except BaseException:
        if session.info.pop(_HOLDS, False):
            _writer.release()
        raise


# The lock timeout and the lock in one round trip: the FROM clause's set_config runs first, for
# this transaction only (its third argument), so a lock held past the busy timeout fails the
# statement with lock_not_available, an OperationalError (503, nothing saved) as on SQLite.
_PG_LOCK = ("SELECT pg_advisory_xact_lock(%(key)s, %(owner)s)"
            " FROM (SELECT set_config('lock_timeout', %(timeout)s, true)) AS timeout")


def _take_postgres_write_lock(session: Session) -> None:
    """PostgreSQL's write transaction: the applicant's advisory lock, taken in the transaction the
    request may already have open: no COMMIT and BEGIN, two round trips of every save. Under READ
    COMMITTED each statement after the lock reads what the writer before it committed, so, unlike
    SQLite's deferred read transaction, which can't become a write, nothing needs ending first.
    What the request wrote so far is flushed ahead of the lock, and what it loaded is expired, to
    be read again under the lock, as a commit would have done. No process lock either: PostgreSQL
    queues the lock's waiters itself, and two applicants' saves in one worker don't wait for each
    other."""
    from .tenancy import current_owner

    session.flush()
    session.expire_all()
    session.connection().exec_driver_sql(_PG_LOCK, {"key": PG_WRITE_LOCK_KEY, "owner": current_owner() or 0,
                                                    "timeout": f"{BUSY_TIMEOUT_MS}ms"})


@event.listens_for(Session, "after_transaction_end")
def _release_writer(session: Session, transaction) -> None:
    if transaction.parent is None and session.info.pop(_HOLDS, False):
        _writer.release()
