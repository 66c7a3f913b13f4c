"""Accounts for the tests of a hosted tracker: made directly, signed in through the sign-in page."""

from tracker.accounts import create_account
from tracker.db import db

PASSWORD = "correct horse battery"


def make_account(app, email: str, role: str = "applicant", name: str | None = None,
                 password: str = PASSWORD) -> int:
    with app.app_context():
        account = create_account(email, name or email.split("@")[0].title(), role, password)
        db.session.commit()
        return account.id


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign ``client`` in; its CSRF token is read again (a sign-in starts a new session)."""
    client.token = None
    response = client.post("/sign-in", data={"email": email, "password": password})
    client.token = None
    return response
