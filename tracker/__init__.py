"""Residency Tracker: a spreadsheet-like residency application tracker for IMGs."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    """templates/ and static/: inside the package when installed from a wheel,
    at the top of the repository when running from a checkout (or an editable install)."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"cannot find the {name}/ folder next to {PACKAGE_DIR}")


MIN_SECRET_KEY_CHARS = 32  # a kept key shorter than this (a crash cut it short) is made again


def _read_key(path: Path) -> str:
    try:
        key = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return ""
    return key if len(key) >= MIN_SECRET_KEY_CHARS else ""


def _secret_key(instance_path: str) -> str:
    """The key signing sessions and CSRF tokens, made once and kept in instance/.

    It is written whole or not at all: to a temporary file, flushed to the disk, then renamed
    over ``secret_key``, so no reader ever sees an empty or half-written key (a first start killed,
    or out of disk, leaves no key file, and the next start makes one). A key file that is empty or
    too short anyway is made again. Processes starting at once take turns (a lock file), so they
    all read the one key the first of them wrote."""
    path = Path(instance_path) / "secret_key"
    if key := _read_key(path):
        return key
    with _key_lock(path.with_name(".secret_key.lock")):
        if key := _read_key(path):  # another process made it while this one waited
            return key
        key = secrets.token_hex(32)
        temp = path.with_name(f".secret_key.{secrets.token_hex(8)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            try:
                os.chmod(temp, 0o600)  # whatever the umask
                data = key.encode("ascii")
                while data:
                    data = data[os.write(fd, data):]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
        _fsync_folder(path.parent)
    return key


class _key_lock:
    """An exclusive lock on ``path`` where the platform has one (fcntl); elsewhere none."""

    def __init__(self, path: Path):
        self.path, self.fd = path, None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return self
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing it releases the lock


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` last through a power cut (where folders can be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not every platform opens folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    # Flask is imported here, not at the top, so that the pure domain modules
    # (tracker.fields, tracker.rules, tracker.tiering) import without it.
    from flask import Flask

    instance_path = os.environ.get("TRACKER_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
        template_folder=str(_resource_dir("templates")),
        static_folder=str(_resource_dir("static")),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    from .backups import DAILY_KEEP

    # Every setting and its default, in one place (README "The `tracker` command" lists them);
    # instance/config.py, then the environment, then a test's config override them.
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "tracker.sqlite3"),
        # A tab left open all day must still be able to save: the CSRF token lives as long
        # as the session cookie, and the key is kept in instance/ so restarts keep it valid.
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,  # the largest upload (and `tracker import` file)
        # Requests naming another host are refused (DNS rebinding); add yours with TRACKER_TRUSTED_HOSTS.
        TRUSTED_HOSTS=["127.0.0.1", "localhost", "[::1]", "::1"],
        IMPORT_MAX_ROWS=20_000,  # rows of programs one import reads at the most
        IMPORT_PREVIEW_ROWS=300,  # rows the import preview lists of each long kind (new, changed)
        TRACKER_DAILY_BACKUP=True,  # a copy of the database on the first page opened each day
        TRACKER_BACKUP_KEEP=DAILY_KEEP,  # daily copies kept in instance/backups (7)
        TRACKER_NOW=None,  # a fixed "now" for Today and the season (tests); None: the clock
        TRACKER_SQLITE_MAX_PAGES=None,  # caps the SQLite file's size (tests stand in for a full disk)
        # Scripts and style sheets travel compressed (143 KB as files, some 40 KB on the wire). Pages
        # do not: they carry the CSRF token beside text a person typed, which compression would let
        # an eavesdropper guess at from the sizes (BREACH).
        COMPRESS_MIMETYPES=["text/css", "text/javascript", "application/javascript"],
        COMPRESS_MIN_SIZE=1024,
        # Accounts, sign-in and each applicant's own rows (tracker.auth): None is on for PostgreSQL (a
        # hosted tracker for a group), off for SQLite (one applicant on their own computer).
        TRACKER_ACCOUNTS=None,
        # Proxies in front of the tracker (a group's web server: 1) whose X-Forwarded-For and
        # X-Forwarded-Proto are believed; the sign-in limit per address counts the address they
        # name. 0: none, the headers are ignored (anyone could send them).
        TRACKER_PROXIES=0,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    if url := os.environ.get("TRACKER_DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if key := os.environ.get("TRACKER_SECRET_KEY"):
        app.config["SECRET_KEY"] = key
    if hosts := os.environ.get("TRACKER_TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()]
    if (accounts := os.environ.get("TRACKER_ACCOUNTS", "").strip().lower()) in ("1", "true", "yes", "on"):
        app.config["TRACKER_ACCOUNTS"] = True
    elif accounts in ("0", "false", "no", "off"):
        app.config["TRACKER_ACCOUNTS"] = False
    if (proxies := os.environ.get("TRACKER_PROXIES", "").strip()).isdigit():
        app.config["TRACKER_PROXIES"] = int(proxies)
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # The daily copy is of a SQLite file; a server database is backed up with its own tools
        # (pg_dump, which the Backups page and `tracker backup` name).
        app.config["TRACKER_DAILY_BACKUP"] = False
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)

    from . import auth, cli, security, views
    from .db import configure_postgresql, configure_sqlite, db
    from .migrate import migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True)
    with app.app_context():
        configure_sqlite(db.engine, max_pages=app.config["TRACKER_SQLITE_MAX_PAGES"])
        configure_postgresql(db.engine)

    from flask_compress import Compress

    Compress(app)
    security.init_app(app)
    auth.init_app(app)
    views.init_app(app)
    cli.init_app(app)
    if proxies := int(app.config["TRACKER_PROXIES"] or 0):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    return app
