"""A program's own page (every field in one form, and its history), add, delete, restore."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError

from markupsafe import Markup

from .. import fields
from ..changes import (StaleVersion, ValidationFailed, create_program, delete_program, new_batch_id,
                       restore_program, update_program)
from ..listing import View, query_view
from ..tiers import inputs
from ..db import db, write_transaction
from ..forms import form_data, program_form_class, submitted_values
from ..models import Program
from ..seasons import current_season_id
from . import is_htmx
from .grid import render_row, save_warnings
from .history import undo_trigger

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
            return render_template("_flash.html", messages=[("error", message)]), 422, {
                "HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
        flash(message, "error")
        return redirect(url_for("grid.index"))
    if is_htmx():
        return render_row(program), 200, undo_trigger()
    return redirect(url_for("grid.index") + f"#p-{program.id}")


BULK_FIELDS = ("status", "email_status", "tier_override", "mission_tags")


def bulk_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """What a bulk edit can set: (group label, [(value "field:choice", label)])."""
    groups = []
    for key in BULK_FIELDS:
        f = fields.get(key)
        verb = "Add mission tag" if f.kind is fields.Kind.TAGS else f"Set {f.label.lower()}"
        options = [(f"{key}:{c.value}", c.label) for c in f.options]
        if key == "tier_override":
            options.append((f"{key}:", "Computed tier (clear what you set)"))
        groups.append((verb, options))
    return groups


@bp.post("/bulk")
def bulk():
    """Set one value on many programs at once: one batch in the change log (one undo)."""
    write_transaction()
    key, _, value = request.form.get("change", "").partition(":")
    if key not in BULK_FIELDS:
        abort(400, description="Choose what to set on the selected programs.")
    if request.form.get("all") == "1":
        programs, _ = query_view(View.from_args(request.form), paged=False)
    else:
        ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
        programs = list(db.session.scalars(db.select(Program).where(
            Program.id.in_(ids), Program.deleted_at.is_(None), Program.season_id == current_season_id())))
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
    return redirect(request.referrer or url_for("grid.index"))


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
    program = db.get_or_404(Program, program_id, description="There is no such program.")
    form_class = program_form_class()
    form = form_class() if request.method == "POST" else form_class(data=form_data(program))
    status = 200
    if request.method == "POST" and program.deleted_at is None and form.validate_on_submit():
        try:
            changes = update_program(program, submitted_values(form),
                                     expected_version=int(form.version.data or 0))
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            _attach_errors(form, exc.errors)
            status = 422
        except (StaleVersion, StaleDataError):
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
    return render_template("programs/detail.html", program=program, form=form, history=history), status


@bp.route("/<int:program_id>/delete", methods=["GET", "POST"])
def delete(program_id: int):
    if request.method == "POST":
        write_transaction()
    program = db.get_or_404(Program, program_id, description="There is no such program.")
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
    program = db.get_or_404(Program, program_id, description="There is no such program.")
    if program.deleted_at is None:
        abort(409, description=f"{program.name} is not deleted.")
    restore_program(program)
    db.session.commit()
    flash(f"Restored {program.name}.", "ok")
    return redirect(url_for("grid.index") + f"#p-{program.id}")


@bp.get("/deleted")
def deleted():
    programs = db.session.scalars(
        db.select(Program).where(Program.deleted_at.is_not(None), Program.season_id == current_season_id())
        .order_by(Program.deleted_at.desc())
    ).all()
    return render_template("programs/deleted.html", programs=programs)
