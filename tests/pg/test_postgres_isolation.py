"""Each applicant's rows on PostgreSQL, where accounts are on by default: the route-by-route check
of tests/test_isolation.py (another applicant's ids answer 404 and change nothing), and the pages
of one applicant naming nothing of another's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.db import db
from tracker.models import Program, SignInAttempt

from accounts_helpers import make_account, sign_in
from conftest import make_pg_app  # tests/pg/conftest.py
from test_isolation import A_EMAIL, B_EMAIL, MARK, PAGES, assert_every_route_answers_404, build_a, text_of


@pytest.fixture
def two(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_ACCOUNTS", raising=False)
    app = make_pg_app(pg_url, str(tmp_path / "instance"), TRACKER_ACCOUNTS=None)  # the setting's default
    assert app.config["TRACKER_ACCOUNTS"] is True  # PostgreSQL's default
    a_id, b_id = make_account(app, A_EMAIL), make_account(app, B_EMAIL)
    a, b = app.test_client(), app.test_client()
    sign_in(a, A_EMAIL)
    sign_in(b, B_EMAIL)
    b.post("/programs/new", data={"name": "Bilal Own Program (Internal Medicine)", "state": "TX"})
    build_a(app, a)
    yield app, a, b, a_id, b_id
    with app.app_context():
        db.engine.dispose()


def test_every_route_with_another_applicants_ids_answers_404_on_postgresql(two):
    app, a, b, a_id, b_id = two
    assert assert_every_route_answers_404(app, b, a_id) > 40


def test_bs_pages_name_none_of_as_programs_on_postgresql(two):
    app, a, b, a_id, b_id = two
    shown = [page for page in PAGES if MARK in text_of(b.get(page))]
    assert not shown, "B was shown A's data on " + ", ".join(shown)
    assert MARK in text_of(a.get("/export.csv?tier=all"))


def test_a_nul_character_in_a_sign_in_or_a_cell_reaches_postgresql_as_the_replacement_character(
        pg_url, tmp_path, monkeypatch):
    # PostgreSQL's text refuses NUL outright: a sign-in or a cell with one answered 500 before
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_pg_app(pg_url, str(tmp_path / "instance"), TRACKER_ACCOUNTS=None)
    make_account(app, "amal@example.org")
    client = app.test_client()
    refused = sign_in(client, "amal\x00@example.org", "a password\x00")
    assert refused.status_code == 401 and "do not match an account" in refused.get_data(as_text=True)
    assert sign_in(client, "amal@example.org").status_code == 302
    assert client.post("/programs", data={"name": "Lakeside\x00 Program"}).status_code == 302
    with app.app_context():
        program = db.session.execute(sa.select(Program.id, Program.version, Program.name)
                                     .execution_options(tracker_every_owner=True)).one()
    assert program.name == "Lakeside\ufffd Program"
    response = client.post(f"/programs/{program.id}/cells/city", headers={"HX-Request": "true"},
                           data={"value": "Spring\x00field", "version": program.version})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(Program.city).execution_options(tracker_every_owner=True)) \
            == "Spring\ufffdfield"
        assert db.session.scalar(sa.select(SignInAttempt.email).where(SignInAttempt.succeeded.is_(False))) \
            == "amal\ufffd@example.org"
    with app.app_context():
        db.engine.dispose()
