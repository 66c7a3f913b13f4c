"""Blueprints, one per feature, and the error pages they share."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from .. import fields
from ..rules import TIER_LABELS, format_fee_bands
from ..tenancy import NoOwner
from .cells import cell_html
from ._htmx import (DISK_FULL, DISK_FULL_ERRNOS, MAX_ID, flash_error, is_htmx, mentor_marks, preferred_division,
                    program_comments, read_only, row_class)

# htmx 2 swaps only 2xx answers by default. A refused value (422) and a stale version (409)
# come back as cells to show; other errors are retargeted by errors() to the flash area.
HTMX_CONFIG = {
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "409", "swap": True, "error": False},
        {"code": "422", "swap": True, "error": False},
        {"code": "[45]..", "swap": True, "error": True},
    ],
    "includeIndicatorStyles": False,  # the indicator styles are in app.css (no inline styles)
    "allowEval": False,
    "allowScriptTags": False,
    "selfRequestsOnly": True,
    "historyCacheSize": 0,
}


class IdConverter(IntegerConverter):
    """<int:...> in a route: a number past the largest integer the database stores names nothing
    (404), instead of reaching the database and overflowing there."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _season_label() -> str | None:
    """The season every page shows, for the header; None if the database can't say (an error page),
    or, with accounts, when the page is no applicant's (the sign-in page, an administrator's)."""
    from ..db import db
    from ..store import current_season_name
    from ..tenancy import ownerless

    if ownerless():
        return None
    try:
        return current_season_name()
    except SQLAlchemyError:
        db.session.rollback()
        return None


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter  # before any route is added
    from . import (accounts, auth, backups, calendar, cards, dashboard, exports, grid, history, imports, mentors,
                   profile, programs, seasons, today)

    app.register_blueprint(grid.bp)
    app.register_blueprint(programs.bp)
    app.register_blueprint(profile.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(today.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(calendar.bp)
    app.register_blueprint(seasons.bp)
    app.register_blueprint(history.bp)
    app.register_blueprint(backups.bp)
    app.register_blueprint(cards.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(mentors.bp)

    # Globals, not a context processor: imported macros (_row.html, _cell.html) see them too.
    app.jinja_env.globals.update(htmx_config=HTMX_CONFIG, fields=fields, tier_labels=TIER_LABELS,
                                 has_endpoint=lambda name: name in app.view_functions, row_class=row_class,
                                 format_fee_bands=format_fee_bands, mentor_marks=mentor_marks,
                                 program_comments=program_comments, preferred_division=preferred_division,
                                 cell_html=cell_html, season_label=_season_label, read_only=read_only)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return _error(400, "Your session has expired or this page is out of date. "
                           "Reload the page and try again; nothing was saved.")

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):
        from ..importing.read import too_large

        return _error(413, too_large("The file", app.config["MAX_CONTENT_LENGTH"] or 0))

    @app.errorhandler(OperationalError)
    def _database_error(exc: OperationalError):
        from ..db import db

        db.session.rollback()
        reason = str(exc.orig).lower()
        if "full" in reason:
            app.logger.error("database full: %s", exc.orig)
            return _error(507, DISK_FULL)
        if "disk i/o error" in reason:  # SQLite's SQLITE_IOERR: retrying won't mend it
            app.logger.error("database I/O error: %s", exc.orig)
            return _error(507, "The database could not be written to the disk, which is probably full (or "
                               "failing), so nothing was saved. Free some space, then try again.")
        app.logger.exception("database error")
        return _error(503, "The database could not be written just now, so nothing was saved. Try again.")

    @app.errorhandler(OSError)
    def _os_error(exc: OSError):
        from ..db import db

        if exc.errno in DISK_FULL_ERRNOS:
            db.session.rollback()  # a kept upload, a backup, a temporary file
            app.logger.error("disk full: %s", exc)
            return _error(507, DISK_FULL)
        raise exc  # any other: the 500 page, as for any other fault

    @app.errorhandler(NoOwner)
    def _no_owner(exc: NoOwner):
        # a page of an applicant's list asked for with no applicant to read as (tracker.tenancy)
        from ..db import db

        db.session.rollback()
        return _error(403, "This page shows an applicant's list, and this request is no applicant's: "
                           "sign in with an applicant's account. Nothing was saved.")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return _error(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(InternalServerError)
    def _server_error(exc: InternalServerError):
        return _error(500, "Something went wrong on our side and nothing was saved. "
                           "Reload the page and try again.")


def _error(code: int, message: str):
    from ..security import request_host_is_trusted

    if not request_host_is_trusted():  # a Host this tracker doesn't serve: no page to build links from
        return message, code, {"Content-Type": "text/plain; charset=utf-8"}
    if is_htmx():
        return flash_error(message, code)
    return render_template("error.html", code=code, message=message), code
