"""A program's own page (every field in one form, and its history), add, bulk edit, delete
(one, the selected ones, the demo programs), restore (one, or those ticked on the Deleted page)."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup

from .. import fields
from ..changes import (RestoreConflict, StaleVersion, ValidationFailed, commit, create_program, delete_program,
                       delete_programs, new_batch_id, restore_programs, update_program)
from ..db import db, write_transaction
from ..forms import form_data, program_form_class, submitted_values
from ..importing.sources import sources
from ..listing import View, query_view
from ..models import Program
from ..season_checks import save_warnings
from ..store import in_season, inputs, live_demo_programs, live_programs_select
from ._htmx import (demo_notice, flash_error, grid_counts_oob, get_program, is_htmx, posted_version, read_id, render_row,
                    undo_trigger)

bp = Blueprint("programs", __name__, url_prefix="/programs")

HISTORY_LIMIT = 200


def _attach_errors(form, errors: dict[str, str]) -> None:
    for key, message in errors.items():
        form[key].errors = [*form[key].errors, message] if key in form else [message]


@bp.post("")
def quick_add():
    """The grid's "Add a program" box: a name is enough; the new row appears at the top."""
    write_transaction()
    try:
        program = create_program({"name": request.form.get("name", "")})
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        message = " ".join(exc.errors.values())
        if is_htmx():
            return flash_error(message, 422)
        flash(message, "error")
        return redirect(url_for("grid.index"))
    if is_htmx():
        return render_row(program), 200, undo_trigger()
    return redirect(url_for("grid.index") + f"#p-{program.id}")


@bp.post("/bulk")
def bulk():
    """Set one value on many programs at once: one batch in the change log (one undo)."""
    write_transaction()
    key, _, value = request.form.get("change", "").partition(":")
    if key not in {f.key for f in fields.BULK}:
        abort(400, description="Choose what to set on the selected programs.")
    programs = _selected()
    if not programs:
        abort(400, description="Select the programs to change first (tick their boxes).")
    f = fields.get(key)
    batch = new_batch_id()
    given = inputs()
    changed = []
    try:
        for program in programs:
            new = sorted({*program.mission_tags, value}) if f.kind is fields.Kind.TAGS else value
            if update_program(program, {key: new}, source="bulk", batch_id=batch, tiering=given):
                changed.append(program)
    except ValidationFailed as exc:
        db.session.rollback()
        abort(400, description=" ".join(exc.errors.values()))
    db.session.commit()
    label = f.label_for(value) if value else "the computed tier"
    verb = f"Added the tag {label} to" if f.kind is fields.Kind.TAGS else f"Set {f.label.lower()} to {label} for"
    message = f"{verb} {len(changed)} program{'s' if len(changed) != 1 else ''}" + (
        f" ({len(programs) - len(changed)} already had it)." if len(changed) < len(programs) else ".")
    if is_htmx():
        rows = Markup("").join(render_row(p, oob=True) for p in changed)
        return rows + Markup(render_template("_flash_oob.html", messages=[("ok", message)])), 200, undo_trigger()
    flash(message, "ok")
    return redirect(_own_page(request.referrer) or url_for("grid.index"))


def _selected() -> list[Program]:
    """The live programs a bulk action names: the ticked ids, or every program of the posted
    view ("all N matching")."""
    if request.form.get("all") == "1":
        programs, _ = query_view(View.from_args(request.form), paged=False)
        return programs
    ids = _posted_ids()
    return list(db.session.scalars(live_programs_select().where(Program.id.in_(ids)).order_by(Program.name)))


def _posted_ids() -> list[int]:
    return list(dict.fromkeys(i for i in map(read_id, request.form.getlist("ids")) if i is not None))


def _plural(n: int, word: str = "program") -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _confirm_page(title: str, question: str, action: str, programs: list[Program], button: str):
    """The confirmation a delete of many asks for without JavaScript (the grid asks in a dialog
    and posts confirmed=1): the same form again, confirmed."""
    again = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "confirmed")]
    return render_template("programs/confirm_many.html", title=title, question=question, action=action,
                           programs=programs, again=again, button=button)


@bp.post("/bulk/delete")
def bulk_delete():
    """Delete the selected programs: one batch in the change log, so one undo brings them all back."""
    write_transaction()
    programs = _selected()
    if not programs:
        abort(400, description="Select the programs to delete first (tick their boxes).")
    n = len(programs)
    if request.form.get("confirmed") != "1":
        db.session.rollback()
        return _confirm_page(f"Delete {_plural(n)}?", f"Delete {_plural(n)}?", url_for("programs.bulk_delete"),
                             programs, f"Delete {_plural(n)}")
    deleted = delete_programs(programs)
    db.session.commit()
    message = (f"Deleted {_plural(len(deleted))}. Undo brings {'them' if len(deleted) != 1 else 'it'} back; "
               "deleted programs also stay on the Deleted page.")
    if is_htmx():
        parts = [Markup('<tr id="p-{}" hx-swap-oob="delete"></tr>').format(p.id) for p in deleted]
        parts.append(demo_notice(oob=True))
        parts.append(grid_counts_oob())
        parts.append(Markup(render_template("_flash_oob.html", messages=[("ok", message)])))
        return Markup("\n").join(parts), 200, undo_trigger()
    flash(message, "ok")
    return redirect(_own_page(request.referrer) or url_for("grid.index"))


@bp.post("/demo/delete")
def remove_demo():
    """"Remove the demo programs": every demo program of the season still on the list, as one
    batch (one undo brings them back)."""
    write_transaction()
    programs = live_demo_programs()
    back = _own_page(request.referrer) or url_for("grid.index")
    if not programs:
        db.session.rollback()
        flash("There are no demo programs on the list.", "warn")
        return redirect(back)
    n = len(programs)
    if request.form.get("confirmed") != "1":
        db.session.rollback()
        return _confirm_page("Remove the demo programs?", f"Remove the {_plural(n, 'demo program')}?",
                             url_for("programs.remove_demo"), programs, "Remove the demo programs")
    delete_programs(programs)
    db.session.commit()
    flash(f"Removed the {_plural(n, 'demo program')}. Undo (above the grid, or Ctrl+Z) brings them back.", "ok")
    return redirect(back)


def _own_page(address: str | None) -> str | None:
    """The path and query of ``address`` when it is a page of this tracker (the same host, over
    http or https), else None: a Referer can name any site or a javascript: address."""
    if not address or "\\" in address or any(ord(c) < 32 for c in address):
        return None
    parts = urlsplit(address)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != request.host.lower():
            return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = program_form_class()(data=None if request.method == "POST" else form_data(None))
    if form.validate_on_submit():
        write_transaction()
        try:
            program = create_program(submitted_values(form))
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            _attach_errors(form, exc.errors)
        else:
            flash(f"Added {program.name}.", "ok")
            return redirect(url_for("programs.detail", program_id=program.id))
    status = 422 if request.method == "POST" else 200
    return render_template("programs/new.html", form=form), status


@bp.route("/<int:program_id>", methods=["GET", "POST"])
def detail(program_id: int):
    if request.method == "POST":
        write_transaction()
    program = get_program(program_id)
    form_class = program_form_class()
    form = form_class() if request.method == "POST" else form_class(data=form_data(program))
    status = 200
    if request.method == "POST" and program.deleted_at is None and form.validate_on_submit():
        try:
            changes = update_program(program, submitted_values(form), expected_version=posted_version())
            commit()
        except ValidationFailed as exc:
            db.session.rollback()
            _attach_errors(form, exc.errors)
            status = 422
        except StaleVersion:
            db.session.rollback()
            program = db.session.get(Program, program_id)
            flash("This program was changed elsewhere since you opened it; nothing was saved. "
                  "The current values are shown below, with your values beside the ones that differ.",
                  "error")
            typed = submitted_values(form)
            form = form_class(formdata=None, data=form_data(program))
            form.theirs = typed
            status = 409
        else:
            flash(f"Saved {len(changes)} change{'s' if len(changes) != 1 else ''}.", "ok")
            for warning in save_warnings(program, {c.field for c in changes}):
                flash(warning, "warn")
            return redirect(url_for("programs.detail", program_id=program.id))
    elif request.method == "POST":
        status = 400 if program.deleted_at is None else 409
    history = program.changes.limit(HISTORY_LIMIT).all()
    form.sources = {key: str(source) for key, source in sources(program.id).items()}
    return render_template("programs/detail.html", program=program, form=form, history=history), status


@bp.route("/<int:program_id>/delete", methods=["GET", "POST"])
def delete(program_id: int):
    if request.method == "POST":
        write_transaction()
    program = get_program(program_id)
    if request.method == "GET":
        return render_template("programs/confirm_delete.html", program=program)
    if program.deleted_at is None:
        delete_program(program)
        db.session.commit()
    if is_htmx():
        return render_template("programs/_deleted.html", program=program), 200, undo_trigger()
    flash(f"Deleted {program.name}.", "ok")
    return redirect(url_for("grid.index"))


@bp.post("/<int:program_id>/restore")
def restore(program_id: int):
    write_transaction()
    program = get_program(program_id)
    if program.deleted_at is None:
        abort(409, description=f"{program.name} is not deleted.")
    try:
        restore_programs([program])
    except RestoreConflict as exc:
        db.session.rollback()
        abort(409, description=" ".join(exc.conflicts))
    db.session.commit()
    flash(f"Restored {program.name}. Undo takes the restore back.", "ok")
    return redirect(url_for("grid.index") + f"#p-{program.id}")


@bp.post("/restore")
def restore_selected():
    """Restore the programs ticked on the Deleted page (or one row's Restore): one batch, which
    one undo takes back. When any of them can't be restored, none is, and the page says which."""
    write_transaction()
    ids = _posted_ids()
    if not ids:
        db.session.rollback()
        return _deleted_page(["Tick the programs to restore first."], status=400)
    programs = list(db.session.scalars(sa.select(Program).where(Program.id.in_(ids)).order_by(Program.name)))
    conflicts = []
    if gone := len(ids) - len(programs):
        conflicts.append(f"{_plural(gone)} ticked no longer exist{'s' if gone == 1 else ''} "
                         "(the list was replaced since); reload the page.")
    try:
        restore_programs(programs)
    except RestoreConflict as exc:
        conflicts.extend(exc.conflicts)
    if conflicts:
        db.session.rollback()
        return _deleted_page(["Nothing was restored.", *conflicts], status=409, ticked=set(ids))
    db.session.commit()
    names = ", ".join(p.name for p in programs[:3]) + (f" and {len(programs) - 3} more" if len(programs) > 3 else "")
    flash(f"Restored {_plural(len(programs))} ({names}). Undo takes the restore back.", "ok")
    return redirect(url_for("programs.deleted"))


def _deleted_page(errors: list[str] | None = None, status: int = 200, ticked: set[int] | None = None):
    programs = db.session.scalars(
        in_season(db.select(Program), deleted=True).order_by(Program.deleted_at.desc(), Program.name)).all()
    return render_template("programs/deleted.html", programs=programs, errors=errors or [],
                           ticked=ticked or set()), status


@bp.get("/deleted")
def deleted():
    return _deleted_page()
