"""Signing in and out of a hosted tracker, and changing one's own password (tracker.auth)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user

from ..accounts import AccountError, password_matches, set_password, sign_in
from ..auth import accounts_on
from ..db import db, write_transaction

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """A place on this site to go back to after signing in (never another site's address)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"], endpoint="sign_in")
def sign_in_page():
    if not accounts_on():
        return redirect(url_for("grid.index"))
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("auth/sign_in.html", next_url=next_url, email="", message=None)
    email = request.form.get("email", "")
    write_transaction()
    result = sign_in(email, request.form.get("password", ""), request.remote_addr)
    db.session.commit()
    if result.account is None:
        code = 429 if result.wait is not None else 401
        headers = {"Retry-After": str(max(1, int(result.wait.total_seconds())))} if result.wait else {}
        return render_template("auth/sign_in.html", next_url=next_url, email=email, message=result.message), \
            code, headers
    session.clear()  # a new session for the signed-in account (no fixation of an older one)
    from ..auth import SignedIn

    login_user(SignedIn(result.account))
    if result.account.must_change_password:
        return redirect(url_for("auth.password"))
    return redirect(next_url or url_for("grid.index"))


@bp.post("/sign-out")
def sign_out():
    logout_user()
    session.clear()
    flash("You are signed out.", "ok")
    return redirect(url_for("auth.sign_in"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    account = g.get("account")
    if account is None:
        abort(404)
    if request.method == "GET":
        return render_template("auth/password.html", account=account, message=None)
    write_transaction()
    if not password_matches(account, request.form.get("current", "")):
        db.session.rollback()
        return render_template("auth/password.html", account=account,
                               message="Your current password is not that one; nothing was changed."), 422
    new, again = request.form.get("password", ""), request.form.get("again", "")
    try:
        if new != again:
            raise AccountError("The two new passwords differ; nothing was changed.")
        set_password(account, new)
    except AccountError as exc:
        db.session.rollback()
        return render_template("auth/password.html", account=account, message=exc.message), 422
    db.session.commit()
    from ..auth import SignedIn

    login_user(SignedIn(account))  # this session stays; every other one of the account ends
    flash("Your password is changed. Every other place you were signed in is signed out.", "ok")
    return redirect(url_for("grid.index"))
