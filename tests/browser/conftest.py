"""Browser test fixtures: a live server for the `app` fixture and Debian's chromium via Playwright.

Playwright's own browser download is not used: the tests drive /usr/bin/chromium, which
`make test` installs through apt. If it is missing, every browser test fails (never skips)
with a message saying how to get it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test app served on a free local port, in a daemon thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's chromium. "
            "Install it with `make test` (or `sudo apt-get install chromium`).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser, live_server):
    """A fresh browser context (own cookies, so its own session and CSRF token) per test."""
    # en-US: date inputs take keystrokes in month/day/year order.
    ctx = browser.new_context(base_url=live_server, locale="en-US", timezone_id="UTC")
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def every_column(app):
    """A grid that shows every column (a newcomer's shows the first screen: test_layout_browser.py),
    for tests of cells the first screen leaves out."""
    from tracker.db import db
    from tracker.layout import Layout
    from tracker.store import save_layout

    with app.app_context():
        save_layout(Layout().everything())
        db.session.commit()

