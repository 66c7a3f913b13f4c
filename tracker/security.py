"""CSRF on every POST, the hosts the tracker answers to, uploads kept in memory, and the response
headers every page carries."""

from __future__ import annotations

import io

from flask import Flask, Request, Response, current_app, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import SecurityError

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


_EVERY_RESPONSE = tuple((name, name.lower(), value) for name, value in (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
))


def _host_name(host: str) -> str:
    """A Host header's name without its port: "[::1]:5000" -> "[::1]", "Localhost:80" -> "localhost"."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end > 0 and host[end + 1:end + 2] in ("", ":") else ""
    return host.partition(":")[0]


def _trusted_name(entry: str) -> str:
    """A configured host as _host_name gives it: an IPv6 address in brackets ("::1" -> "[::1]")."""
    entry = entry.strip().lower()
    if entry.startswith("["):
        return _host_name(entry)
    return f"[{entry}]" if entry.count(":") > 1 else entry.partition(":")[0]


def host_is_trusted(host: str, trusted) -> bool:
    """Whether ``host`` (a Host header) names one of ``trusted`` (TRUSTED_HOSTS; a leading dot also
    accepts its subdomains; None or empty accepts any). Werkzeug's own check cuts each configured
    name at its first colon to drop a port, which leaves nothing of an IPv6 address: "[::1]" and
    "::1" could never match, so the tracker checks the names itself."""
    if not trusted:
        return True
    name = _host_name(host)
    if not name:
        return False
    for entry in trusted:
        ref = _trusted_name(entry)
        if ref.startswith("."):
            if name == ref[1:] or name.endswith(ref):
                return True
        elif ref and name == ref:
            return True
    return False


def request_host_is_trusted() -> bool:
    try:
        host = request.host  # werkzeug refuses a Host that is not a host name or address at all
    except SecurityError:
        return False
    return host_is_trusted(host, current_app.config.get("TRUSTED_HOSTS"))


class TrackerRequest(Request):
    """The tracker's request.

    Flask hands TRUSTED_HOSTS to werkzeug's check, which can't match an IPv6 name; the tracker
    checks the setting itself (host_is_trusted, before any view), so werkzeug is handed none and
    refuses only a Host that is no host at all.

    An uploaded file is kept in memory (it is at most MAX_CONTENT_LENGTH, and the Import page
    reads it whole anyway), not in a temporary file: with the temporary folder's disk full, that
    refused every upload over 500 KB before the tracker saw it."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()

    @property
    def trusted_hosts(self) -> None:
        return None

    @trusted_hosts.setter
    def trusted_hosts(self, value) -> None:
        pass


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.request_class = TrackerRequest

    @app.before_request
    def _trusted_host() -> None:
        if not request_host_is_trusted():
            raise SecurityError("This tracker does not answer to that host name. To serve it under another name, "
                                "add the name to TRACKER_TRUSTED_HOSTS.")

    @app.after_request
    def _headers(response: Response) -> Response:
        # each one unless the view set its own, the names present read once: werkzeug's setdefault
        # scans every header for each of them, some 10 µs of every response
        headers = response.headers
        present = {name.lower() for name in headers.keys()}
        for name, lowered, value in _EVERY_RESPONSE:
            if lowered not in present:
                headers.add(name, value)
        return response
