"""The season's calendar as iCalendar: a download and a private feed.

The feed's address carries a secret token, kept in ``instance/calendar_token`` (made on first
use, readable by its owner only). Anyone with the address can read the interviews, so the
page can make a new one, which ends the old.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for

from ..calendar_feed import build_calendar, season_events
from ..store import current_rules, current_season, live_programs

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


def feed_token() -> str:
    """The feed's token, made on first use."""
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
    path = _token_path()
    temp = _temp_path(path)
    token = secrets.token_urlsafe(24)
    _write_private(temp, token)
    os.replace(temp, path)
    return token


def _token_matches(given: str) -> bool:
    # Bytes, so that a non-ASCII token in the address is a mismatch rather than a TypeError.
    return hmac.compare_digest(given.encode("utf-8"), feed_token().encode("utf-8"))


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

    feed_url = webcal_url = None
    if not read_only():  # a mentor's copy of the address would outlive a revoked invitation
        feed_url = url_for("calendar.feed", token=feed_token(), _external=True)
        webcal_url = "webcal" + feed_url[feed_url.index(":"):]
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
    if not _token_matches(token):
        abort(404, description="There is no calendar at this address. Open the Calendar page for the current one.")
    response = _ics(_calendar_body(), "inline")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/calendar/token")
def new_token():
    new_feed_token()
    flash("Made a new calendar link. The old one no longer works: subscribe again with the link below.", "ok")
    return redirect(url_for("calendar.index"))
