"""Backups: the daily one made on the first request of each day, the list of those kept in
instance/backups, and a download of the whole database.

With accounts (tracker.auth) one database holds every applicant's lists, so neither a download
of it nor one of the kept copies is handed to an applicant: the server's operator backs it up
(``tracker backup``, or pg_dump on PostgreSQL), and an applicant's own list leaves as an export."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, render_template, send_file, send_from_directory

from ..auth import accounts_on
from ..backups import BackupError, UnsupportedDatabase, daily_backup, database_path, list_backups
from ..db import db
from ._htmx import DISK_FULL_ERRNOS, InsufficientStorage

bp = Blueprint("backups", __name__)

SQLITE_MIMETYPE = "application/vnd.sqlite3"
SHARED_DATABASE = ("This tracker keeps every applicant's lists in one database, so a copy of the whole "
                   "database is not handed to any one applicant; whoever runs the server backs it up (tracker backup "
                   "FILE on SQLite, pg_dump on PostgreSQL). To keep "
                   "a copy of your own list, download it as a workbook (Export).")


def backups_folder(app: Flask | None = None) -> Path:
    return Path((app or current_app).instance_path) / "backups"


def download_name(day: dt.date) -> str:
    return f"residency-tracker-{day:%Y-%m-%d}.sqlite3"


class _Daily:
    """Once per process and day: the first request of the day makes the daily backup.

    Every other request costs one date comparison. A second thread arriving while the backup
    is being written does not wait for it.
    """

    def __init__(self) -> None:
        self.done_for: dt.date | None = None
        self.lock = threading.Lock()

    def __call__(self, app: Flask) -> None:
        today = dt.date.today()
        if self.done_for == today or not self.lock.acquire(blocking=False):
            return
        try:
            if self.done_for == today:
                return
            self.done_for = today  # also when it fails: one warning a day, not one per request
            if not app.config["TRACKER_DAILY_BACKUP"]:
                return
            try:
                live = database_path(db.engine)
            except UnsupportedDatabase:
                return
            keep = int(app.config["TRACKER_BACKUP_KEEP"])
            try:
                made = daily_backup(live, backups_folder(app), keep=keep, today=today)
            except (BackupError, OSError) as exc:
                app.logger.warning("The daily backup failed: %s", exc)
                return
            if made:
                app.logger.info("Daily backup written to %s", made)
        finally:
            self.lock.release()


@bp.record_once
def _install_daily(state) -> None:
    state.app.extensions["tracker_daily_backup"] = _Daily()


@bp.before_app_request
def _daily_backup() -> None:
    current_app.extensions["tracker_daily_backup"](current_app._get_current_object())


def _whole_database_refused() -> None:
    """With accounts, the database is every applicant's: refuse to hand it (or a copy) over."""
    if accounts_on():
        abort(403, description=SHARED_DATABASE)


def _live_path() -> Path:
    try:
        return database_path(db.engine)
    except UnsupportedDatabase as exc:
        abort(501, description=str(exc))


@bp.get("/backups")
def index():
    if accounts_on():
        return render_template("backups/index.html", shared=SHARED_DATABASE, unsupported=None)
    try:
        live = database_path(db.engine)
        unsupported = None
    except UnsupportedDatabase as exc:
        live, unsupported = None, str(exc)
    folder = backups_folder()
    return render_template(
        "backups/index.html", backups=list_backups(folder), folder=folder, live=live, unsupported=unsupported,
        live_size=live.stat().st_size if live and live.is_file() else None,
        daily=current_app.config["TRACKER_DAILY_BACKUP"],
        keep=int(current_app.config["TRACKER_BACKUP_KEEP"]),
        download_name=download_name(dt.date.today()))


@bp.get("/backup.sqlite3")
def download():
    """A fresh backup of the whole database, made now with the backup API."""
    from ..backups import backup_to

    _whole_database_refused()
    live = _live_path()
    fd, tmp = tempfile.mkstemp(prefix=".download-", suffix=".sqlite3", dir=current_app.instance_path)
    os.close(fd)
    try:
        backup_to(live, tmp)
        fh = open(tmp, "rb")  # noqa: SIM115 - send_file closes it once sent
    except BackupError as exc:
        cause = exc.__cause__
        full = "full" in str(exc).lower() or getattr(cause, "errno", None) in DISK_FULL_ERRNOS
        if full:
            raise InsufficientStorage(description=f"{exc} The disk is full: free some space, then try again.")
        abort(500, description=f"{exc} Nothing was downloaded.")
    finally:
        Path(tmp).unlink(missing_ok=True)  # the open file stays readable until it is sent
    response = send_file(fh, mimetype=SQLITE_MIMETYPE, as_attachment=True,
                         download_name=download_name(dt.date.today()), max_age=0, conditional=False)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/backups/<name>")
def stored(name: str):
    """One of the backups kept in instance/backups."""
    _whole_database_refused()
    if not any(b.name == name for b in list_backups(backups_folder())):
        abort(404, description="There is no such backup; it may have been deleted as the daily backups turned over.")
    response = send_from_directory(backups_folder(), name, mimetype=SQLITE_MIMETYPE, as_attachment=True,
                                   max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response

