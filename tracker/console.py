"""The `tracker` command (pyproject's console script): Flask's own commands (run, shell,
routes) and the tracker's (tracker.cli), on the app that create_app makes."""

from __future__ import annotations

from flask.cli import FlaskGroup

from . import create_app

cli = FlaskGroup(create_app=create_app, help="Residency Tracker: your residency programs as a spreadsheet.")
