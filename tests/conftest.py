import datetime as dt
import re

import pytest
from flask_migrate import upgrade

from tracker import create_app
from tracker.changes import create_program
from tracker.db import db
from tracker.models import Program

from forms import CSRFClient


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        # July is in no season, so "/" shows the grid whatever the date; Today's tests set their own.
        "TRACKER_NOW": dt.datetime(2026, 7, 1, 12, 0),
    })
    app.test_client_class = CSRFClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app) -> CSRFClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_program(app):
    """Create a program through the write path and return its id."""

    def make(**values) -> int:
        values.setdefault("name", "Riverside County Medical Center Program (Internal Medicine)")
        with app.app_context():
            program = create_program(values)
            db.session.commit()
            return program.id

    return make


@pytest.fixture
def db_bytes(app):
    """The database file's bytes (the WAL folded in): to prove that something changed nothing."""
    from pathlib import Path

    import sqlalchemy as sa

    def read() -> bytes:
        with app.app_context():
            db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.session.commit()
        return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).read_bytes()

    return read


@pytest.fixture
def read_program(app):
    """The stored program, read fresh from the database (a plain dict of its columns)."""

    def read(program_id: int) -> dict:
        with app.app_context():
            db.session.expire_all()
            program = db.session.get(Program, program_id)
            return {c.key: getattr(program, c.key) for c in Program.__table__.columns}

    return read


@pytest.fixture
def accounts_app(tmp_path, monkeypatch):
    """A hosted tracker's app (accounts on) on SQLite: sign-in, roles and each applicant's own rows."""
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'hosted.sqlite3'}",
        "TRACKER_NOW": dt.datetime(2026, 7, 1, 12, 0),
        "TRACKER_ACCOUNTS": True,
        "TRACKER_DAILY_BACKUP": False,
    })
    app.test_client_class = CSRFClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
