"""The tracker's own commands (init-db, demo, tier, import, export, serve, backup, restore,
create-account),
added to the app by ``init_app``; tracker.console makes them the `tracker` command.

With accounts (a hosted tracker) the commands that read or change a list (demo, tier, import,
export) need ``--user EMAIL``, the applicant whose list it is: they run as that applicant
(tracker.tenancy.acting_as), and without it they refuse. Backup and restore are of the whole
database, the server operator's. The one-person tracker has one list and needs no --user."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from . import fields
from .changes import create_program, keep_version_high_water, new_batch_id
from .db import db, write_transaction
from .models import Change, ImportBatch, MentorComment, Program, UndoStep
from .rules import TIER_LABELS
from .store import inputs
from .tenancy import NoOwner, acting_as
from .tiers import retier_all

NO_USER = ("This tracker has accounts: say whose list with --user EMAIL (an applicant's account). "
           "Nothing was changed.")


def _applicant(email: str | None) -> int | None:
    """The owner a command reads and writes as: the applicant --user names, with accounts; the
    one-person tracker's (None) without. ClickException for a missing or wrong --user."""
    from .accounts import account_by_email

    if not current_app.config.get("TRACKER_ACCOUNTS"):
        if email:
            raise click.ClickException("Accounts are off on this tracker: it keeps one list, so --user is not "
                                       "needed. Nothing was changed.")
        return None
    if not email:
        raise click.ClickException(NO_USER)
    account = account_by_email(email)
    if account is None or account.role != "applicant" or not account.active:
        raise click.ClickException(f"--user {email}: there is no active applicant's account with that email "
                                   "(a mentor's or an administrator's has no list of its own). Nothing was changed.")
    return account.id


def whose_list(command):
    """``--user EMAIL`` on a command that reads or changes a list; the command runs as its owner.
    Goes below ``with_appcontext`` (the account is looked up in the database)."""

    @click.option("--user", "user_email", metavar="EMAIL",
                  help="With accounts: the applicant whose list this is (needed then).")
    @functools.wraps(command)
    def run(*args, user_email: str | None = None, **kwargs):
        owner = _applicant(user_email)
        db.session.rollback()  # the look-up's transaction: the command opens its own
        with acting_as(owner):
            return command(*args, **kwargs)

    return run


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database or upgrade it to the newest schema (safe to run again)."""
    upgrade()
    write_transaction()
    try:
        retier_all(only_missing=True)  # programs from before tiers existed (the one-person tracker's)
    except NoOwner:  # accounts, and no list of the one-person tracker's to tier
        db.session.rollback()
    db.session.commit()
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


@click.command("demo")
@with_appcontext
@click.option("--force", is_flag=True, help="Delete every program and its history first.")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database; otherwise do nothing.")
@whose_list
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
    drafts_before = _draft_ids()
    if existing:
        # the history goes with the programs: the imports (whose undo would name programs that are
        # gone) and the grid's undo steps too; ids are never given again, so nothing points elsewhere
        keep_version_high_water()  # a restore moves versions past those of the programs deleted here
        db.session.execute(sa.delete(UndoStep))
        db.session.execute(sa.delete(ImportBatch))
        db.session.execute(sa.delete(Change))
        db.session.execute(sa.delete(MentorComment))
        db.session.execute(sa.delete(Program))
    batch = new_batch_id()
    count = 0
    given = inputs()
    for values in demo_programs():
        create_program(values, source="demo", batch_id=batch, tiering=given, demo=True)
        count += 1
    db.session.commit()
    if existing:  # the drafts' kept files, now that no draft names them
        _drafts().forget_unknown(gone=drafts_before)
    click.echo(f"Loaded {count} demo programs.")


@click.command("tier")
@with_appcontext
@whose_list
def tier_command() -> None:
    """Recompute every program's tier from the profile and rules, and print the counts."""
    write_transaction()
    counts = retier_all()
    db.session.commit()
    total = sum(counts.values())
    click.echo(f"Tiered {total} programs:")
    for tier, label in TIER_LABELS.items():
        click.echo(f"  {label:<13} {counts[tier]:>6}")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sheet", help="The sheet to read (default: the one that looks like a program table).")
@click.option("--map", "maps", multiple=True, metavar="HEADER=FIELD",
              help="Map the column HEADER to FIELD (a catalogue key or label, or keep, visa, ignore); repeat it.")
@click.option("--keep-unmapped", is_flag=True, help="Keep every column no field takes in the notes "
              "(as “Header: value”) instead of ignoring it.")
@click.option("--repeated", type=click.Choice(["merge", "earlier", "later"]), default="merge", show_default=True,
              help="A program the file holds in several rows: the earlier row with the later ones filling its "
                   "blanks (merge), or only the earlier or the later row.")
@click.option("--dry-run", is_flag=True, help="Show what would change, change nothing (as without --yes).")
@click.option("--yes", is_flag=True, help="Apply the changes (conflicts keep the tracker's values); without it "
              "the plan is only shown.")
@with_appcontext
@whose_list
def import_command(file: Path, sheet: str | None, maps: tuple[str, ...], keep_unmapped: bool, repeated: str,
                   dry_run: bool, yes: bool) -> None:
    """Import programs from an .xlsx, .xlsm or .csv file (a FREIDA export, your own list).

    Shows what would change; applies it only with --yes."""
    from .importing import drafts
    from .importing.apply import ImportRefused, apply_plan
    from .importing.headers import IGNORE, KEEP
    from .importing.mapping import convert_rows
    from .importing.read import UnreadableFile, too_large

    limit = current_app.config["MAX_CONTENT_LENGTH"]
    size = file.stat().st_size
    if limit and size > limit:  # the Import page's upload limit
        raise click.ClickException(too_large(file.name, limit))
    store = drafts.DraftStore(Path(current_app.instance_path) / "imports", current_app.config["IMPORT_MAX_ROWS"])
    try:
        sheets = store.read(file.read_bytes(), file.name)
    except UnreadableFile as exc:
        raise click.ClickException(f"{exc.message} Nothing was imported.") from None
    names = [s.name for s in sheets]
    if sheet is not None and sheet not in names:
        raise click.ClickException(f"There is no sheet “{sheet}”; the sheets are: {', '.join(names)}.")
    detected = drafts.detect(sheets, only=sheet)
    try:
        drafts.check_change_mark(detected.exported)
    except UnreadableFile as exc:
        raise click.ClickException(exc.message) from None
    chosen, header_row, columns, exported = detected
    _choose_columns(columns, maps, keep_unmapped and not exported)
    mapped = [f"{c.header} → {c.target_label}" for c in columns if c.target]
    click.echo(f"Sheet “{chosen.name}”, headers in row {header_row + 1}: " + "; ".join(mapped))
    ignored = [c.header for c in columns if c.target == IGNORE and not c.exported]
    if ignored:
        click.echo(f"Ignored columns: {', '.join(ignored)} (--map HEADER=FIELD maps one, --keep-unmapped keeps "
                   "them in the notes).")
    if not any(c.target == "name" for c in columns):
        raise click.ClickException("No column holds the program name; map it with --map \"HEADER=name\" or "
                                   "import the file in the browser. Nothing was imported.")
    taken = [c.target for c in columns if c.target not in (IGNORE, KEEP)]
    twice = sorted({t for t in taken if taken.count(t) > 1})
    if twice:
        raise click.ClickException(f"Two columns are mapped to {', '.join(twice)}; keep one. Nothing was imported.")
    if exported:
        click.echo(f"A workbook exported from this tracker on {exported.created:%Y-%m-%d %H:%M} UTC: rows match "
                   "by their hidden ids.")
    with drafts.collector_paused():
        rows = convert_rows(chosen, header_row, columns)
        mark = exported.change_mark if exported else None
        ids = list(exported.ids) if exported else None
        plan = drafts.plan(rows, mark, None, ids)
        if repeated != "merge" and plan.repeats:
            pick = 0 if repeated == "earlier" else -1
            plan = drafts.plan(rows, mark, {r.line: str(r.lines[pick]) for r in plan.repeats}, ids)
    counts = plan.counts()
    click.echo(f"{counts['new']} new, {counts['changed']} changed, {counts['conflict']} with conflicts, "
               f"{counts['unchanged']} unchanged, {counts['invalid']} can't be imported.")
    _echo_some([f"rows {', '.join(map(str, r.lines))}: one program ({r.why[:1].lower()}{r.why[1:]}), "
                + ("merged" if r.choice == "merge" else f"row {r.choice} only") for r in plan.repeats],
               "Repeated programs, each imported once (--repeated merge, earlier or later):")
    for row in plan.of_kind("invalid"):
        click.echo(f"  row {row.line}: {' '.join(row.errors)}")
    _echo_some([f"row {r.line}: {m}" for r in plan.rows if r.kind != "invalid" for m in r.incoming.skipped.values()],
               "Cells left out (the rest of their rows is imported):")
    _echo_some([f"row {r.line}: on {c.label}" + (f", {c.author}" if c.author else "") + f": {c.text}"
                for r in plan.commented for c in r.comments], "Comments in the mentor's copy, kept on their programs:")
    _echo_some([f"{r.name}" for r in plan.removed],
               "Removed in the mentor's copy (kept here; delete them in the browser's preview if you want):")
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return
    if not yes:
        click.echo("Nothing was changed. Run it again with --yes to apply these changes.")
        return
    if not plan.applicable:
        click.echo("Nothing to import: every row is unchanged or can't be imported.")
        return
    write_transaction()
    batch = drafts.new_batch(file.name, detected)
    batch.mapping = {str(c.index): c.target for c in columns}
    try:
        with click.progressbar(length=len(plan.rows), label="Importing", file=sys.stderr) as bar:
            result = apply_plan(batch, plan, set(), set(), progress=bar.update)
    except ImportRefused as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Imported {result['created']} new programs and updated {result['updated']} "
               f"({result['cells']} cells). Undo it from the Import page.")


SHOWN_LINES = 20


def _echo_some(lines: list[str], title: str) -> None:
    if not lines:
        return
    click.echo(title)
    for line in lines[:SHOWN_LINES]:
        click.echo(f"  {line}")
    if len(lines) > SHOWN_LINES:
        click.echo(f"  … and {len(lines) - SHOWN_LINES:,} more.")


def _choose_columns(columns, maps: tuple[str, ...], keep_unmapped: bool) -> None:
    """Lay --map HEADER=FIELD and --keep-unmapped over the detected columns (ClickException for a
    header or a field the file or the catalogue does not have)."""
    from .importing.headers import EXTRA_TARGETS, IGNORE, KEEP
    from .fields import _norm

    targets = {_norm(f.key): f.key for f in fields.FIELDS} | {_norm(f.label): f.key for f in fields.FIELDS}
    targets |= {"keep": KEEP, "ignore": IGNORE, "visa": "visa", "id": "id"}
    for item in maps:
        header, sep, target = item.rpartition("=")
        column = next((c for c in columns if _norm(c.header) == _norm(header)), None) if sep else None
        if column is None:
            raise click.ClickException(f"--map {item}: no column is headed “{header or item}”; the headers are: "
                                       f"{', '.join(c.header for c in columns)}.")
        key = IGNORE if not target.strip() else targets.get(_norm(target))
        if key is None:
            raise click.ClickException(f"--map {item}: “{target}” is not a field; use a catalogue key "
                                       f"({', '.join(fields.BY_KEY)}) or one of {', '.join(k or 'ignore' for k in EXTRA_TARGETS)}.")
        for other in columns:  # the field leaves the column it was suggested for
            if other.target == key and key not in (IGNORE, KEEP) and other.how != "chosen":
                other.target, other.how, other.confidence = IGNORE, "none", 0
        column.target, column.how, column.confidence = key, "chosen", 100
    if keep_unmapped:
        for column in columns:
            if column.target == IGNORE and column.how != "chosen":
                column.target, column.how = KEEP, "chosen"


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--tier", "tiers", multiple=True, type=click.Choice([*TIER_LABELS, "all"]),
              help="Tiers to include (repeat it); default: all but Not eligible, as the grid shows.")
@click.option("--col", "cols", multiple=True, help="Columns (catalogue keys) to include; default: all. The "
              "workbook always has the Mentor comments column.")
@click.option("--filter", "filters", multiple=True, metavar="KEY=VALUE",
              help="Only programs whose KEY is VALUE, as the grid's filters (repeat it): status=applied, "
                   "specialty=pediatrics, state=TX, setting=county, visa_j1=yes...")
@click.option("--unknown", is_flag=True, help="Only programs with unknown data (visa, IMG share, setting).")
@click.option("--search", "query", help="Only programs whose name, city or notes contain this.")
@click.option("--sort", help="Sort keys, as in the grid's address: state,-img_percent.")
@with_appcontext
@whose_list
def export_command(file: Path, tiers: tuple[str, ...], cols: tuple[str, ...], filters: tuple[str, ...],
                   unknown: bool, query: str | None, sort: str | None) -> None:
    """Write the mentor's workbook (.xlsx) or a CSV (.csv), as the grid's Export button does."""
    from .exporting import build_csv, build_workbook
    from .changes import change_mark
    from .listing import View, export_summary, query_view
    from .models import utcnow

    wrong = [c for c in cols if c not in fields.BY_KEY]
    if wrong:
        raise click.ClickException(f"Unknown column(s): {', '.join(wrong)}. Columns: {', '.join(fields.BY_KEY)}.")
    args: dict[str, object] = {"tier": list(tiers), "col": list(cols), "q": query or "", "sort": sort or "",
                               "unknown": "1" if unknown else ""}
    for key, value in _filters(filters).items():
        args[f"f.{key}"] = value
    view = View.from_args(args)
    rows, _ = query_view(view, paged=False)
    if file.suffix.lower() == ".csv":
        file.write_text(build_csv(rows, view.visible_columns), encoding="utf-8")
    elif file.suffix.lower() == ".xlsx":
        build_workbook(rows, view.visible_columns, export_summary(rows), new_batch_id(), utcnow(),
                       change_mark()).save(file)
    else:
        raise click.ClickException("The file name must end in .xlsx or .csv.")
    click.echo(f"Wrote {len(rows)} programs to {file}.")


def _filters(given: tuple[str, ...]) -> dict[str, list[str]]:
    """--filter key=value options as the grid's filters (key -> stored values); a value is its
    stored form (will_apply) or its label (Will apply). Raises a ClickException for a key or a
    value the catalogue does not know."""
    from .listing import FILTERABLE

    by_key = {f.key: f for f in FILTERABLE}
    chosen: dict[str, list[str]] = {}
    for item in given:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in by_key:
            raise click.ClickException(f"--filter {item}: filter on one of {', '.join(by_key)}, as KEY=VALUE "
                                       "(status=applied).")
        f = by_key[key]
        match = next((c.value for c in f.options if value in (c.value, c.label) or value.lower() == c.label.lower()),
                     None)
        if match is None:
            raise click.ClickException(f"--filter {item}: {f.label} is one of {', '.join(c.value for c in f.options)}.")
        chosen.setdefault(key, [])
        if match not in chosen[key]:
            chosen[key].append(match)
    return chosen


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, help="Requests handled at once.")
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Serve the tracker with waitress, a production WSGI server (what `make run` uses)."""
    from flask import current_app
    from waitress import serve

    app = current_app._get_current_object()
    click.echo(f"Residency Tracker on http://{host}:{port}/ (Ctrl+C stops it)")
    serve(app, host=host, port=port, threads=threads, ident="tracker", **serve_options(app))


BODY_HEADROOM = 1024 * 1024  # a form's fields and multipart framing beside the largest file


def serve_options(app: Flask) -> dict[str, int]:
    """Waitress keeps a request body of up to the upload limit (MAX_CONTENT_LENGTH, and room for the
    form around it) in memory: by default it writes any body over 512 KB to a temporary file, and
    with the disk full that failed before the tracker saw the request, so the browser got a reset
    connection instead of a page. A body larger than that is refused by waitress (413)."""
    most = int(app.config.get("MAX_CONTENT_LENGTH") or 10 * 1024 * 1024) + BODY_HEADROOM
    return {"inbuf_overflow": most, "max_request_body_size": most}


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup_command(file: Path, force: bool) -> None:
    """Back up the whole database to FILE (SQLite's online backup: safe while the tracker runs)."""
    import time

    from .backups import BackupError, backup_to, database_path

    try:
        live = database_path(db.engine)
        if file.exists() and not force:
            raise BackupError(f"{file} exists; choose another name or add --force to replace it.")
        started = time.perf_counter()
        dest = backup_to(live, file)
    except BackupError as exc:
        raise click.ClickException(f"{exc} No backup was written.") from None
    seconds = time.perf_counter() - started
    click.echo(f"Backed up {live} to {dest} ({_size(dest.stat().st_size)}, {seconds:.2f} s).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Restore without asking.")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database with the backup FILE; the current database is kept in instance/backups."""
    from .backups import BackupError, database_path, head_revision, restore_from, verify_backup

    try:
        live = database_path(db.engine)
        info = verify_backup(file)
    except BackupError as exc:
        raise click.ClickException(f"{exc} Nothing was changed.") from None
    click.echo(f"{file}: a Residency Tracker database of {_size(info.size)} with {info.programs} programs and "
               f"{info.changes} logged changes (schema revision {info.revision}).")
    if not yes and not click.confirm(f"Replace everything in {live} with it? The current database is kept "
                                     "first.", default=False):
        click.echo("Nothing was changed.")
        return
    drafts_before = _draft_ids(every_owner=True)  # the whole database is replaced: every applicant's
    db.session.remove()
    db.engine.dispose()  # this process holds no connection while the backup is copied in
    folder = Path(current_app.instance_path) / "backups"
    try:
        result = restore_from(file, live, folder, prepare=_upgraded if info.revision != head_revision() else None)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    _drafts().forget_unknown(gone=drafts_before)  # the kept files of drafts the backup doesn't have
    db.session.commit()
    if result.previous:
        click.echo(f"The previous database is kept in {result.previous}.")
    if info.revision != head_revision():
        click.echo(f"Upgraded the restored database from schema revision {info.revision} to {head_revision()}.")
    click.echo(f"Restored {info.programs} programs from {file}. A running tracker shows them from the next page "
               "you open.")


def _drafts():
    from .importing.drafts import DraftStore

    return DraftStore(Path(current_app.instance_path) / "imports", current_app.config["IMPORT_MAX_ROWS"])


def _draft_ids(every_owner: bool = False) -> set[str]:
    """The drafts of the owner (``every_owner``: of every applicant, for a restore of the whole database)."""
    from .tenancy import EVERY_OWNER

    query = sa.select(ImportBatch.batch_id).where(ImportBatch.status == "draft")
    return set(db.session.scalars(query.execution_options(**{EVERY_OWNER: every_owner})))


def _upgraded(staged: Path) -> None:
    """Bring a staged copy of an older backup to the current schema before it is copied in, as
    init-db does, so the live database goes from its old content to the new in one step. It runs
    as a `tracker init-db` of its own on the staged file (a second app in this process would have
    to import the factory that made this one)."""
    import os
    import subprocess

    from .backups import BackupError

    env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{staged}",
           "TRACKER_SECRET_KEY": current_app.secret_key or "restore",
           "TRACKER_INSTANCE_PATH": current_app.instance_path}
    done = subprocess.run([sys.executable, "-c", "from tracker.console import cli; cli()", "init-db"], env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise BackupError(f"The backup could not be upgraded to the current schema: {done.stderr.strip()[-500:]}. "
                          "Nothing was changed.")


@click.command("create-account")
@click.option("--email", required=True, help="The address the person signs in with.")
@click.option("--name", required=True, help="Their name, as others see it.")
@click.option("--role", type=click.Choice(["applicant", "mentor", "admin"]), default="admin", show_default=True)
@with_appcontext
def create_account_command(email: str, name: str, role: str) -> None:
    """Make an account of a hosted tracker (the first administrator, say) and print its temporary
    password, to be changed at the first sign-in."""
    from .accounts import AccountError, create_account, temporary_password

    write_transaction()
    password = temporary_password()
    try:
        account = create_account(email, name, role, password, must_change=True)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Made the {role} account {account.email}. Its temporary password, shown once: {password}")
    if not current_app.config.get("TRACKER_ACCOUNTS"):
        click.echo("Accounts are off on this tracker (SQLite): set TRACKER_ACCOUNTS=1 to sign in with them.")


def _size(n: int) -> str:
    """Bytes as the Backups page shows them (decimal units, like Jinja's filesizeformat)."""
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB" if n >= 1e3 else f"{n} bytes"


def init_app(app: Flask) -> None:
    app.cli.add_command(serve_command)
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
    app.cli.add_command(tier_command)
    app.cli.add_command(init_db_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(create_account_command)
