"""Importing spreadsheets in the browser: upload -> mapping -> preview -> apply; and undo."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import fields
from ..db import db, write_transaction
from ..importing.apply import (apply_plan, load_draft, remember_mapping, start_draft, undo_batch,
                               undo_preview)
from ..importing.mapping import EXTRA_TARGETS, IGNORE, KEEP, PROGRAM_ID, VISA, find_header_row, map_columns
from ..importing.read import UnreadableFile
from ..models import ImportBatch

bp = Blueprint("imports", __name__, url_prefix="/imports")

TARGET_CHOICES = [(IGNORE, EXTRA_TARGETS[IGNORE]), (KEEP, EXTRA_TARGETS[KEEP]), (VISA, EXTRA_TARGETS[VISA]),
                  (PROGRAM_ID, EXTRA_TARGETS[PROGRAM_ID])] + [(f.key, f.label) for f in fields.FIELDS]


def folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def max_rows() -> int:
    return current_app.config["IMPORT_MAX_ROWS"]


def batches() -> list[ImportBatch]:
    return list(db.session.scalars(db.select(ImportBatch).order_by(ImportBatch.id.desc()).limit(50)))


def get_batch(batch_id: int, status: str | None = None) -> ImportBatch:
    batch = db.get_or_404(ImportBatch, batch_id, description="There is no such import.")
    if status and batch.status != status:
        abort(409, description=f"This import is {batch.status}, so it can't be changed here.")
    return batch


def draft_or_error(batch: ImportBatch):
    try:
        return load_draft(batch, folder(), max_rows())
    except (UnreadableFile, FileNotFoundError):
        abort(410, description="The uploaded file of this draft is gone; upload it again.")


@bp.get("")
def index():
    return render_template("imports/index.html", batches=batches())


@bp.post("")
def upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("imports/index.html", batches=batches(),
                               error="Choose a file to import (.xlsx, .xlsm or .csv)."), 400
    data = upload.read()
    write_transaction()
    try:
        batch = start_draft(data, upload.filename, folder(), max_rows())
    except UnreadableFile as exc:
        db.session.rollback()
        return render_template("imports/index.html", batches=batches(), error=exc.message), exc.status
    db.session.commit()
    return redirect(url_for("imports.mapping", batch_id=batch.id))


@bp.route("/<int:batch_id>/mapping", methods=["GET", "POST"])
def mapping(batch_id: int):
    batch = get_batch(batch_id, "draft")
    if request.method == "POST":
        write_transaction()
        batch = get_batch(batch_id, "draft")
        sheet = request.form.get("sheet", batch.sheet)
        header_row = request.form.get("header_row", type=int)
        if sheet != batch.sheet or (header_row is not None and header_row - 1 != batch.header_row):
            # another sheet or header row: detect again from there
            batch.sheet = sheet
            draft = draft_or_error(batch)
            row = (header_row - 1) if header_row and sheet == draft.sheet.name else find_header_row(draft.sheet)
            batch.header_row = max(0, min(row, len(draft.sheet.rows) - 1))
            batch.mapping = {str(c.index): c.target for c in map_columns(draft.sheet, batch.header_row)}
            db.session.commit()
            return redirect(url_for("imports.mapping", batch_id=batch.id))
        allowed = {key for key, _ in TARGET_CHOICES}
        chosen = {}
        for key, value in request.form.items():
            if key.startswith("col-") and value in allowed:
                chosen[key[4:]] = value
        mapped = [t for t in chosen.values() if t not in (IGNORE, KEEP)]
        if "name" not in mapped:
            draft = draft_or_error(batch)
            db.session.rollback()
            return render_template("imports/mapping.html", draft=draft, choices=TARGET_CHOICES,
                                   error="Choose the column that holds the program name."), 422
        duplicates = {t for t in mapped if mapped.count(t) > 1}
        if duplicates:
            draft = draft_or_error(batch)
            db.session.rollback()
            labels = ", ".join(dict(TARGET_CHOICES)[t] for t in sorted(duplicates))
            return render_template("imports/mapping.html", draft=draft, choices=TARGET_CHOICES,
                                   error=f"Two columns are mapped to {labels}; keep one."), 422
        batch.mapping = chosen
        remember_mapping(draft_or_error(batch))
        db.session.commit()
        return redirect(url_for("imports.preview", batch_id=batch.id))
    return render_template("imports/mapping.html", draft=draft_or_error(batch), choices=TARGET_CHOICES)


@bp.get("/<int:batch_id>/preview")
def preview(batch_id: int):
    draft = draft_or_error(get_batch(batch_id, "draft"))
    return render_template("imports/preview.html", draft=draft, plan=draft.plan())


@bp.post("/<int:batch_id>/apply")
def apply(batch_id: int):
    write_transaction()
    batch = get_batch(batch_id, "draft")
    draft = draft_or_error(batch)
    plan = draft.plan()
    exclude = {int(v) for v in request.form.getlist("exclude") if v.isdigit()}
    take = set()
    for value in request.form.getlist("take"):
        line, _, key = value.partition(":")
        if line.isdigit() and key in fields.BY_KEY:
            take.add((int(line), key))
    counts = apply_plan(batch, plan, exclude, take)
    path = folder() / batch.stored_file
    batch.stored_file = None
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(f"Imported {batch.filename}: {counts['created']} new programs, {counts['updated']} updated "
          f"({counts['cells']} cells).", "ok")
    return redirect(url_for("imports.batch", batch_id=batch.id))


@bp.get("/<int:batch_id>")
def batch(batch_id: int):
    batch = get_batch(batch_id)
    if batch.status == "draft":
        return redirect(url_for("imports.preview", batch_id=batch.id))
    return render_template("imports/batch.html", batch=batch)


@bp.route("/<int:batch_id>/undo", methods=["GET", "POST"])
def undo(batch_id: int):
    if request.method == "GET":
        batch = get_batch(batch_id, "applied")
        return render_template("imports/undo.html", batch=batch, items=undo_preview(batch))
    write_transaction()
    batch = get_batch(batch_id, "applied")
    counts = undo_batch(batch)
    db.session.commit()
    kept = f"; {counts['kept']} edited since were kept" if counts["kept"] else ""
    flash(f"Undid the import of {batch.filename}: {counts['restored']} cells restored, "
          f"{counts['removed']} programs removed{kept}.", "ok")
    return redirect(url_for("imports.batch", batch_id=batch.id))
