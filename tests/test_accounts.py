"""A hosted tracker's accounts: sign-in and out, the rate limit, passwords hashed and reset by an
administrator, and the roles' pages."""

import re

import sqlalchemy as sa
from argon2 import extract_parameters

from tracker.db import db
from tracker.models import Account, SignInAttempt

from accounts_helpers import PASSWORD, make_account, sign_in


def test_without_accounts_the_one_person_tracker_needs_no_sign_in(client):
    assert client.get("/?tier=all").status_code == 200
    assert client.get("/sign-in").status_code == 302


def test_a_visitor_is_sent_to_sign_in_and_comes_back_after(accounts_app):
    make_account(accounts_app, "amal@example.org")
    client = accounts_app.test_client()
    response = client.get("/profile")
    assert response.status_code == 302 and "/sign-in?next=/profile" in response.headers["Location"]
    response = client.post("/sign-in", data={"email": "Amal@Example.org ", "password": PASSWORD, "next": "/profile"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/profile")
    assert client.get("/profile").status_code == 200


def test_a_wrong_password_is_refused_with_a_message_and_no_session(accounts_app):
    make_account(accounts_app, "amal@example.org")
    client = accounts_app.test_client()
    response = sign_in(client, "amal@example.org", "not the password")
    assert response.status_code == 401
    assert "That email and password do not match an account." in response.get_data(as_text=True)
    assert client.get("/?tier=all").status_code == 302


def test_the_password_is_kept_only_as_an_argon2_hash(accounts_app):
    make_account(accounts_app, "amal@example.org")
    with accounts_app.app_context():
        stored = db.session.scalar(sa.select(Account.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_sign_in_is_rate_limited_per_email_and_the_right_password_waits_too(accounts_app):
    make_account(accounts_app, "amal@example.org")
    client = accounts_app.test_client()
    for _ in range(5):
        assert sign_in(client, "amal@example.org", "guess guess guess").status_code == 401
    response = sign_in(client, "amal@example.org")
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 800
    assert client.get("/?tier=all").status_code == 302  # not signed in


def test_failed_sign_ins_are_counted_in_the_database_so_every_worker_sees_them(accounts_app):
    make_account(accounts_app, "amal@example.org")
    first, second = accounts_app.test_client(), accounts_app.test_client()
    for client in (first, second, first, second, first):
        sign_in(client, "amal@example.org", "wrong wrong wrong")
    with accounts_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInAttempt)) == 5
    assert sign_in(accounts_app.test_client(), "amal@example.org").status_code == 429


def test_sign_out_ends_the_session(accounts_app):
    make_account(accounts_app, "amal@example.org")
    client = accounts_app.test_client()
    sign_in(client, "amal@example.org")
    assert client.get("/?tier=all").status_code == 200
    assert client.post("/sign-out").status_code == 302
    assert client.get("/?tier=all").status_code == 302


def test_an_administrator_makes_an_account_and_its_temporary_password_must_be_changed(accounts_app):
    make_account(accounts_app, "root@example.org", role="admin")
    admin = accounts_app.test_client()
    sign_in(admin, "root@example.org")
    assert admin.get("/?tier=all").headers["Location"].endswith("/accounts")
    page = admin.post("/accounts", data={"name": "Bilal", "email": "bilal@example.org", "role": "applicant"})
    assert page.status_code == 201
    temporary = re.search(r'<code class="handed-password">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    bilal = accounts_app.test_client()
    response = sign_in(bilal, "bilal@example.org", temporary)
    assert response.headers["Location"].endswith("/password")
    assert bilal.get("/?tier=all").headers["Location"].endswith("/password")
    refused = bilal.post("/password", data={"current": temporary, "password": "short", "again": "short"})
    assert refused.status_code == 422 and "at least 10 characters" in refused.get_data(as_text=True)
    changed = bilal.post("/password", data={"current": temporary, "password": "a new long one", "again": "a new long one"})
    assert changed.status_code == 302
    assert bilal.get("/?tier=all").status_code == 200
    assert sign_in(accounts_app.test_client(), "bilal@example.org", temporary).status_code == 401


def test_a_password_reset_by_the_administrator_signs_the_account_out_everywhere(accounts_app):
    make_account(accounts_app, "root@example.org", role="admin")
    amal_id = make_account(accounts_app, "amal@example.org")
    amal = accounts_app.test_client()
    sign_in(amal, "amal@example.org")
    assert amal.get("/?tier=all").status_code == 200
    admin = accounts_app.test_client()
    sign_in(admin, "root@example.org")
    page = admin.post(f"/accounts/{amal_id}/password").get_data(as_text=True)
    temporary = re.search(r'<code class="handed-password">([^<]+)</code>', page).group(1)
    assert amal.get("/?tier=all").status_code == 302  # the old session is over
    assert sign_in(amal, "amal@example.org").status_code == 401
    assert sign_in(amal, "amal@example.org", temporary).headers["Location"].endswith("/password")


def test_a_switched_off_account_can_not_sign_in(accounts_app):
    make_account(accounts_app, "root@example.org", role="admin")
    amal_id = make_account(accounts_app, "amal@example.org")
    admin = accounts_app.test_client()
    sign_in(admin, "root@example.org")
    assert admin.post(f"/accounts/{amal_id}/active", data={"active": "no"}).status_code == 302
    assert sign_in(accounts_app.test_client(), "amal@example.org").status_code == 401


def test_only_an_administrator_reaches_the_accounts_page(accounts_app):
    make_account(accounts_app, "amal@example.org")
    client = accounts_app.test_client()
    sign_in(client, "amal@example.org")
    response = client.get("/accounts")
    assert response.status_code == 403 and "Only an administrator manages accounts." in response.get_data(as_text=True)
    assert client.post("/accounts", data={"name": "X", "email": "x@example.org", "role": "admin"}).status_code == 403


def test_sign_in_never_sends_the_browser_to_another_site(accounts_app):
    make_account(accounts_app, "amal@example.org")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client = accounts_app.test_client()
        response = client.post("/sign-in", data={"email": "amal@example.org", "password": PASSWORD, "next": target})
        assert response.headers["Location"] in ("/", "http://localhost/")


def test_an_unknown_email_costs_the_same_argon2_check_as_a_wrong_password(accounts_app, monkeypatch):
    """A sign-in with an email that names no account is refused with the same message after the
    same work (one Argon2 verification against a hash of the same parameters), so the answer's
    time does not tell which emails have accounts."""
    import tracker.accounts as accounts

    make_account(accounts_app, "amal@example.org")
    checked = []

    class Counting:  # the hasher, noting each hash a password is checked against
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, stored, password):
            checked.append(stored)
            return real.verify(stored, password)

    real = accounts._hasher
    monkeypatch.setattr(accounts, "_hasher", Counting())
    client = accounts_app.test_client()
    wrong = sign_in(client, "amal@example.org", "not the password")
    unknown = sign_in(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "That email and password do not match an account." in unknown.get_data(as_text=True)
    assert len(checked) == 2
    assert extract_parameters(checked[0]) == extract_parameters(checked[1])
    assert checked[0] != checked[1]
