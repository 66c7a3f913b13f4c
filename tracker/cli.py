"""The `tracker` command: Flask's own commands (run, shell, routes) plus the tracker's."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from . import create_app
from .changes import create_program, new_batch_id
from .db import db, write_transaction
from .models import Change, Program

cli = FlaskGroup(create_app=create_app, help="Residency Tracker: your residency programs as a spreadsheet.")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database or upgrade it to the newest schema (safe to run again)."""
    upgrade()
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


@click.command("demo")
@with_appcontext
@click.option("--force", is_flag=True, help="Delete every program and its history first.")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database; otherwise do nothing.")
def demo_command(force: bool, if_empty: bool) -> None:
    """Load about forty fictional programs to explore the tracker with."""
    from .demo import demo_programs

    write_transaction()
    existing = db.session.scalar(sa.select(sa.func.count()).select_from(Program))
    if existing and not force:
        db.session.rollback()
        if if_empty:
            click.echo(f"The database already holds {existing} programs; demo not loaded.")
            return
        raise click.ClickException(
            f"The database already holds {existing} programs; nothing loaded. "
            "Use --force to delete them (and their history) and load the demo."
        )
    if existing:
        db.session.execute(sa.delete(Change))
        db.session.execute(sa.delete(Program))
    batch = new_batch_id()
    count = 0
    for values in demo_programs():
        create_program(values, batch_id=batch)
        count += 1
    db.session.commit()
    click.echo(f"Loaded {count} demo programs.")


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(demo_command)
