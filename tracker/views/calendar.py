"""The season's calendar as iCalendar: a download and a private feed.

The feed's address carries a secret token, made on first use. Anyone with the address can read
the interviews, so the page can make a new one, which ends the old. The one-person tracker keeps
it in ``instance/calendar_token`` (readable by its owner only); with accounts each applicant has
their own, ``Account.calendar_token``, and the feed reads the list of the account its token names,
whoever asks (a calendar app sends no session): a new token replaces only that account's.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, url_for

from ..auth import accounts_on
from ..calendar_feed import build_calendar, season_events
from ..db import db, write_transaction
from ..models import Account
from ..store import current_rules, current_season, live_programs
from ..tenancy import current_owner, set_owner

bp = Blueprint("calendar", __name__)

TOKEN_FILE = "calendar_token"
FILENAME = "residency-calendar.ics"
MIMETYPE = "text/calendar"


# -- the feed token ------------------------------------------------------------------------

def _token_path() -> Path:
    return Path(current_app.instance_path) / TOKEN_FILE


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (mode 0600) whole: a reader never sees half a token."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.chmod(path, 0o600)  # whatever the umask
        os.write(fd, text.encode("ascii"))
    finally:
        os.close(fd)


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(8)}")


def feed_token() -> str | None:
    """The feed's token, made on first use; with accounts, the signed-in applicant's (None for
    anyone else: a mentor reads the list, but its feed's secret is the applicant's own)."""
    if accounts_on():
        return _account_token()
    path = _token_path()
    try:
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        token = ""
    if token:
        return token
    temp = _temp_path(path)
    _write_private(temp, secrets.token_urlsafe(24))
    try:
        os.link(temp, path)  # fails if another request made the token first: that one wins
    except FileExistsError:
        if not path.read_text(encoding="ascii").strip():  # an empty file left by hand: replace it
            os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()


def new_feed_token() -> str:
    """Replace the token: the old feed address stops working."""
    if accounts_on():
        return _account_token(new=True)
    path = _token_path()
    temp = _temp_path(path)
    token = secrets.token_urlsafe(24)
    _write_private(temp, token)
    os.replace(temp, path)
    return token


def _token_matches(given: str) -> bool:
    # Bytes, so that a non-ASCII token in the address is a mismatch rather than a TypeError.
    return hmac.compare_digest(given.encode("utf-8"), feed_token().encode("utf-8"))


def _own_account() -> Account | None:
    """The signed-in applicant whose list this request reads (not a mentor reading someone's)."""
    account = g.get("account")
    owner = current_owner()
    return account if account is not None and owner is not None and account.id == owner else None


def _account_token(new: bool = False) -> str | None:
    account = _own_account()
    if account is None:
        if new:
            abort(404, description="There is no calendar link of yours to replace.")
        return None
    if account.calendar_token and not new:
        return account.calendar_token
    write_transaction()
    query = sa.update(Account).where(Account.id == account.id).values(calendar_token=secrets.token_urlsafe(24))
    if not new:  # two first visits at once: the first one's token stands
        query = query.where(Account.calendar_token.is_(None))
    db.session.execute(query)
    db.session.commit()
    return db.session.scalar(sa.select(Account.calendar_token).where(Account.id == account.id))


def _feed_owner(token: str) -> Account | None:
    """With accounts: the active applicant whose feed ``token`` is, or None."""
    if not token or len(token) > 64:
        return None
    account = db.session.scalar(sa.select(Account).where(Account.calendar_token == token))
    if account is None or not account.active or account.role != "applicant":
        return None
    # the lookup found it by the token; compared again in constant time all the same
    return account if hmac.compare_digest(token.encode("utf-8"), account.calendar_token.encode("utf-8")) else None


# -- the calendar ----------------------------------------------------------------------------

def _calendar_body() -> bytes:
    season = current_season()
    return build_calendar(live_programs(), current_rules(), dt.datetime.now(dt.UTC), season.dates, season.year)


def _ics(body: bytes, disposition: str) -> Response:
    response = Response(body, mimetype=MIMETYPE)  # Flask adds "; charset=utf-8" to text/*
    response.headers["Content-Disposition"] = f'{disposition}; filename="{FILENAME}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/calendar")
def index():
    from ._htmx import read_only

    # a mentor's copy of the address would outlive a revoked invitation
    token = None if read_only() else feed_token()
    feed_url = url_for("calendar.feed", token=token, _external=True) if token else None
    webcal_url = "webcal" + feed_url[feed_url.index(":"):] if feed_url else None
    season = current_season()
    events = season_events(live_programs(), current_rules(), season.dates, season.year)
    counts = {kind: sum(e.kind == kind for e in events) for kind in ("interview", "thank-you", "follow-up")}
    counts["season"] = sum(e.kind.startswith("season-") for e in events)
    return render_template("calendar/index.html", feed_url=feed_url, webcal_url=webcal_url, counts=counts,
                           season_id=season.id)


@bp.get("/calendar.ics")
def download():
    return _ics(_calendar_body(), "attachment")


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    if accounts_on():
        account = _feed_owner(token)
        found = account is not None
        if found:
            set_owner(account.id)  # the token's applicant, whoever asks (a public address: no session)
    else:
        found = _token_matches(token)
    if not found:
        abort(404, description="There is no calendar at this address. Open the Calendar page for the current one.")
    response = _ics(_calendar_body(), "inline")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/calendar/token")
def new_token():
    new_feed_token()
    flash("Made a new calendar link. The old one no longer works: subscribe again with the link below.", "ok")
    return redirect(url_for("calendar.index"))
