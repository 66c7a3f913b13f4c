"""The tests of tests/pg run the app on a real PostgreSQL server that this file starts: Debian's
`postgresql` package (which `make test` installs), in a temporary folder on a free port, stopped
at the end of the session. Each test gets a fresh database copied from one migrated to head.

A server that can't start is a failure, not a skip: `make test` installs it. Only an explicit
TRACKER_SKIP_POSTGRES=1 skips these tests (a machine where PostgreSQL can't be installed)."""

from __future__ import annotations

import datetime as dt
import itertools
import os

import psycopg
import pytest
from flask_migrate import upgrade

from pg_server import TemporaryPostgres
from forms import CSRFClient

TEMPLATE = "tracker_template"
_names = itertools.count(1)


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres():
    if os.environ.get("TRACKER_SKIP_POSTGRES") == "1":
        pytest.skip("TRACKER_SKIP_POSTGRES=1: the PostgreSQL tests are switched off")
    with TemporaryPostgres() as server:
        yield server


def make_pg_app(url: str, instance_path: str, **config):
    from tracker import create_app

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "TRACKER_NOW": dt.datetime(2026, 7, 1, 12, 0),
        # one list, as these tests were written for; accounts (on by default on PostgreSQL) are
        # tested with TRACKER_ACCOUNTS=True
        "TRACKER_ACCOUNTS": False,
        **config,
    })
    app.test_client_class = CSRFClient
    return app


def admin(server: TemporaryPostgres) -> psycopg.Connection:
    return psycopg.connect(server.url("postgres").replace("+psycopg", ""), autocommit=True)


@pytest.fixture(scope="session")
def pg_template(postgres, tmp_path_factory):
    """A database migrated to head by the tracker's own Alembic migrations, copied for each test."""
    url = postgres.create_database(TEMPLATE)
    app = make_pg_app(url, str(tmp_path_factory.mktemp("pg-template")))
    with app.app_context():
        upgrade()
        from tracker.db import db

        db.engine.dispose()
    return TEMPLATE


@pytest.fixture
def pg_url(postgres, pg_template):
    name = f"t{next(_names)}"
    with admin(postgres) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    return postgres.url(name)


@pytest.fixture
def app(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    # The one-person tracker's paths on PostgreSQL (accounts are on there by default; what they change,
    # each applicant's own rows, is test_postgres_isolation.py's and the concurrency test's)
    app = make_pg_app(pg_url, str(tmp_path / "instance"), TRACKER_ACCOUNTS=False)
    yield app
    from tracker.db import db

    with app.app_context():
        db.engine.dispose()
