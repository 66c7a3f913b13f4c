"""SQLite as a web app needs it, and migrations that match the models."""

import sqlite3

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tracker.db import BUSY_TIMEOUT_MS, db, write_transaction


def test_every_connection_gets_wal_busy_timeout_and_foreign_keys(app):
    with app.app_context():
        for _ in range(2):  # a new pooled connection each time
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            db.engine.dispose()


def test_foreign_keys_are_enforced(app):
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text(
                "INSERT INTO change (program_id, field, source, created_at) VALUES (999, 'city', 'edit', '2026-01-01')"
            ))
            db.session.commit()
        db.session.rollback()


def test_a_write_transaction_holds_the_write_lock_from_its_start(app):
    """BEGIN IMMEDIATE: a read-then-write can't be overtaken by another writer."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with app.app_context():
        write_transaction()
        db.session.execute(sa.text("SELECT count(*) FROM program")).scalar()
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        db.session.rollback()
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ends
        other.execute("ROLLBACK")
        other.close()


def test_a_plain_read_does_not_take_the_write_lock(app):
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with app.app_context():
        db.session.execute(sa.text("SELECT count(*) FROM program")).scalar()
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
        db.session.rollback()


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_an_upgrade_gives_logged_percentages_their_sign_so_undo_restores_them(app, make_program):
    from flask_migrate import downgrade, upgrade

    from tracker.models import Change

    pid = make_program(img_percent=0.5)  # logged as "0.5%" today
    with app.app_context():
        downgrade(revision="0009")
        db.session.execute(sa.text("UPDATE change SET new_value = '0.5' WHERE field = 'img_percent'"))
        db.session.commit()
        upgrade()
        logged = db.session.scalars(sa.select(Change.new_value).where(Change.program_id == pid,
                                                                      Change.field == "img_percent")).all()
        assert logged == ["0.5%"]
        assert fields_parse("img_percent", logged[0]) == 0.5  # not 50, as a bare "0.5" now reads


def fields_parse(key, text):
    from tracker import fields

    return fields.get(key).parse(text)


def test_a_save_that_cannot_get_the_write_lock_answers_503_and_saves_nothing(app, client, make_program,
                                                                             read_program, monkeypatch):
    """Another program (a `tracker import` beside the server) holds the database's write lock past
    the busy timeout: the BEGIN IMMEDIATE fails, and the cell says so instead of a 500."""
    import tracker.db

    pid = make_program(city="Houston")
    monkeypatch.setattr(tracker.db, "BUSY_TIMEOUT_MS", 100)
    with app.app_context():
        db.engine.dispose()  # new connections take the short timeout
    other = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        response = client.post(f"/programs/{pid}/cells/city", data={"value": "Dallas", "version": 1},
                               headers={"HX-Request": "true"})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 503
    assert "could not be written just now" in response.get_data(as_text=True)
    assert read_program(pid)["city"] == "Houston" and read_program(pid)["version"] == 1


def test_batch_ids_are_version_7_uuids_that_sort_in_the_order_they_were_made(monkeypatch):
    """Time-ordered batch ids keep the change log's batch index growing at its end."""
    import time
    import uuid

    from tracker.changes import new_batch_id

    moments = iter(range(1_796_000_000_000, 1_796_000_000_000 + 50))
    monkeypatch.setattr(time, "time_ns", lambda: next(moments) * 1_000_000)
    made = [new_batch_id() for _ in range(50)]
    assert made == sorted(made) and len(set(made)) == 50
    assert all(len(b) == 32 and uuid.UUID(b).version == 7 and uuid.UUID(b).variant == uuid.RFC_4122 for b in made)
    assert {b[:12] for b in made} == {f"{ms:012x}" for ms in range(1_796_000_000_000, 1_796_000_000_000 + 50)}
