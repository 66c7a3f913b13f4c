"""A group's tracker behind its web server (README "For an advising group"): every request reaches
gunicorn from the proxy's address, so the sign-in limit per address must count the address the
proxy names (X-Forwarded-For), and only when told there is a proxy (TRACKER_PROXIES), or anyone
could name any address and dodge the limit."""

from __future__ import annotations

import pytest

from tracker.accounts import ADDRESS_FAILURES

from accounts_helpers import PASSWORD, make_account
from conftest import make_pg_app  # tests/pg/conftest.py

PROXY = {"REMOTE_ADDR": "127.0.0.1"}  # nginx on the same machine as gunicorn


@pytest.fixture
def proxied_app(pg_url, tmp_path, monkeypatch):
    made = []

    def make(**config):
        monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
        monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
        config.setdefault("TRACKER_ACCOUNTS", None)  # the default: on, on PostgreSQL
        made.append(make_pg_app(pg_url, str(tmp_path / "instance"), **config))
        return made[-1]

    yield make
    from tracker.db import db

    for app in made:
        with app.app_context():
            db.engine.dispose()


def sign_in_from(client, address: str, email: str, password: str):
    client.token = None
    return client.post("/sign-in", data={"email": email, "password": password}, environ_base=PROXY,
                       headers={"X-Forwarded-For": address})


def guess_from(client, address: str) -> None:
    """ADDRESS_FAILURES wrong passwords from one address, each for another email (no email's own limit)."""
    for n in range(ADDRESS_FAILURES):
        assert sign_in_from(client, address, f"nobody{n}@example.org", "guess guess guess").status_code == 401


def test_behind_a_proxy_one_address_guessing_does_not_lock_out_the_group(proxied_app):
    app = proxied_app(TRACKER_PROXIES=1)
    make_account(app, "amal@example.org")
    guess_from(app.test_client(), "203.0.113.7")
    assert sign_in_from(app.test_client(), "203.0.113.7", "amal@example.org", PASSWORD).status_code == 429
    # another applicant, at home, signs in through the same proxy
    response = sign_in_from(app.test_client(), "198.51.100.20", "amal@example.org", PASSWORD)
    assert response.status_code == 302


def test_without_a_proxy_a_forwarded_address_is_not_believed(proxied_app):
    app = proxied_app()
    make_account(app, "amal@example.org")
    client = app.test_client()
    for n in range(ADDRESS_FAILURES):  # a new made-up address each time, from the one real one
        assert sign_in_from(client, f"192.0.2.{n}", f"nobody{n}@example.org", "guess").status_code == 401
    assert sign_in_from(app.test_client(), "192.0.2.250", "amal@example.org", PASSWORD).status_code == 429


def test_the_proxy_count_comes_from_the_environment(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("TRACKER_DATABASE_URL", pg_url)
    monkeypatch.setenv("TRACKER_PROXIES", "1")
    from tracker import create_app
    from tracker.db import db

    app = create_app()  # as gunicorn makes it: every setting from the environment
    assert app.config["TRACKER_PROXIES"] == 1
    with app.app_context():
        db.engine.dispose()
