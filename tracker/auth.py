"""Sign-in for a hosted tracker (TRACKER_ACCOUNTS; on by default on PostgreSQL), and whose rows each
request reads: the signed-in applicant's own, or, for a mentor, those of the applicant they chose
among those who invited them (read-only). Without accounts every request is the one-person
tracker's and this module does nothing.

Sessions are Flask-Login's, in the signed cookie; a session names the account and its
``session_key``, which a password change or reset replaces, so that it ends every older session.
A mentor's access is read from the database on every request: revoking it ends it at once."""

from __future__ import annotations

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user

from .db import db
from .models import Account
from .tenancy import set_owner

login_manager = LoginManager()
login_manager.session_protection = "basic"

# Reached without signing in: the sign-in page, the styles it needs, a mentor's invitation link
# (which offers to make the account), and the calendar feed (its address carries its own secret).
PUBLIC_ENDPOINTS = {"auth.sign_in", "static", "grid.fields_css", "mentors.accept", "calendar.feed"}
# Every account's: its own password and signing out
OWN_ACCOUNT_ENDPOINTS = {"auth.password", "auth.sign_out"}
# What a mentor reads of an applicant's list (GET only), and the few things a mentor posts.
MENTOR_READS = {"grid", "programs", "today", "dashboard", "history", "exports", "cards", "seasons", "calendar",
                "mentors"}
MENTOR_WRITES: set[str] = set()  # beyond the mentors blueprint's own (choosing an applicant, comments)
MENTOR_REFUSED = ("A mentor reads this list and comments on it; only the applicant changes it. "
                  "Nothing was saved.")


class SignedIn(UserMixin):
    """Flask-Login's user: the account, named in the session by its id and session key."""

    def __init__(self, account: Account):
        self.account = account

    def get_id(self) -> str:
        return f"{self.account.id}:{self.account.session_key}"


@login_manager.user_loader
def _load(user_id: str) -> SignedIn | None:
    account_id, _, key = user_id.partition(":")
    if not account_id.isdigit():
        return None
    account = db.session.get(Account, int(account_id))
    if account is None or not account.active or account.session_key != key:
        return None
    return SignedIn(account)


def accounts_on(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("TRACKER_ACCOUNTS"))


def signed_in_account() -> Account | None:
    """The account of this request (None without accounts, or not signed in)."""
    return g.get("account")


def init_app(app: Flask) -> None:
    if app.config.get("TRACKER_ACCOUNTS") is None:
        # accounts where many people share one server: on PostgreSQL, unless told otherwise
        app.config["TRACKER_ACCOUNTS"] = not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None

    @app.before_request
    def _whose_rows():
        set_owner(None)
        g.account = None
        g.mentoring = None  # the applicant a mentor reads
        if not accounts_on(app):
            return None
        if request.endpoint in PUBLIC_ENDPOINTS:
            if current_user.is_authenticated:
                g.account = current_user.account
                if g.account.role == "applicant" and not g.account.must_change_password:
                    set_owner(g.account.id)  # the grid's stylesheet has their widths (the feed reads its token's)
            return None
        if not current_user.is_authenticated:
            return _to_sign_in()
        account: Account = current_user.account
        g.account = account
        if request.endpoint in OWN_ACCOUNT_ENDPOINTS:
            return None
        if account.must_change_password:
            return redirect(url_for("auth.password"))
        blueprint = request.blueprint or ""
        if account.role == "admin":
            if blueprint != "accounts":
                return redirect(url_for("accounts.index"))
            return None
        if blueprint == "accounts":
            abort(403, description="Only an administrator manages accounts.")
        if account.role == "applicant":
            set_owner(account.id)  # the mentors blueprint's views check the role they are for
            return None
        return _as_mentor(account, blueprint)


def _to_sign_in():
    target = url_for("auth.sign_in", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    if request.headers.get("HX-Request") == "true":
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


def _as_mentor(account: Account, blueprint: str):
    from .accounts import may_read

    applicant_id = session.get("mentoring")
    applicant = db.session.get(Account, applicant_id) if isinstance(applicant_id, int) else None
    if applicant is None or not applicant.active or not may_read(account, applicant.id):
        session.pop("mentoring", None)
        applicant = None
    if applicant is not None:
        g.mentoring = applicant
        set_owner(applicant.id)
    if blueprint == "mentors":
        return None
    if applicant is None:
        return redirect(url_for("mentors.mentoring"))
    if blueprint not in MENTOR_READS:
        abort(403, description=MENTOR_REFUSED)
    if request.method not in ("GET", "HEAD") and request.endpoint not in MENTOR_WRITES:
        abort(403, description=MENTOR_REFUSED)
    return None
