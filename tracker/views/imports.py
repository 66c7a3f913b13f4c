"""Importing spreadsheets in the browser: upload -> mapping -> preview -> apply; and undo.
The drafts and what is kept of each upload are tracker.importing.drafts."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import fields
from ..db import db, write_transaction
from ..importing.apply import ImportRefused, apply_plan, undo_batch, undo_preview
from ..importing.drafts import DraftGone, DraftStore, Upload, collector_paused, give_memory_back, remember_mapping
from ..importing.headers import EXTRA_TARGETS, IGNORE, KEEP, PROGRAM_ID, VISA
from ..importing.plan import MERGE, Plan
from ..importing.read import UnreadableFile
from ..models import ImportBatch

bp = Blueprint("imports", __name__, url_prefix="/imports")
bp.teardown_request(lambda exc: give_memory_back())

TARGET_CHOICES = [(IGNORE, EXTRA_TARGETS[IGNORE]), (KEEP, EXTRA_TARGETS[KEEP]), (VISA, EXTRA_TARGETS[VISA]),
                  (PROGRAM_ID, EXTRA_TARGETS[PROGRAM_ID])] + [(f.key, f.label) for f in fields.FIELDS]
CAPPED_KINDS = ("new", "changed")  # the preview lists their first rows (IMPORT_PREVIEW_ROWS); conflicts in full


def drafts() -> DraftStore:
    return DraftStore(Path(current_app.instance_path) / "imports", current_app.config["IMPORT_MAX_ROWS"])


def upload_of(batch: ImportBatch) -> Upload:
    try:
        return drafts().upload(batch)
    except DraftGone as exc:
        abort(410, description=exc.message)


def batches() -> list[ImportBatch]:
    return list(db.session.scalars(db.select(ImportBatch).order_by(ImportBatch.id.desc()).limit(50)))


def get_batch(batch_id: int, status: str | None = None) -> ImportBatch:
    batch = db.get_or_404(ImportBatch, batch_id, description="There is no such import.")
    if status and batch.status != status:
        abort(409, description=f"This import is {batch.status}, so it can't be changed here.")
    return batch


def repeat_choices(values) -> dict[int, str]:
    """Which row of each repeated program the form chose: ``repeat-<first line>`` is "merge" or a line."""
    choices = {}
    for key, value in values.items():
        if key.startswith("repeat-") and key[7:].isdigit() and (value == MERGE or value.isdigit()):
            choices[int(key[7:])] = value
    return choices


def plan_of(batch: ImportBatch, choices: dict[int, str] | None = None) -> Plan:
    try:
        return drafts().plan(batch, choices)
    except DraftGone as exc:
        abort(410, description=exc.message)


# -- pages ---------------------------------------------------------------------------

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
    store = drafts()
    try:
        sheets = store.read(data, upload.filename)
    except UnreadableFile as exc:
        return render_template("imports/index.html", batches=batches(), error=exc.message), exc.status
    write_transaction()
    try:
        batch = store.start(data, upload.filename, sheets)
    except UnreadableFile as exc:  # a returned export whose hidden sheet was tampered with
        db.session.rollback()
        return render_template("imports/index.html", batches=batches(), error=exc.message), exc.status
    try:
        db.session.commit()
    except BaseException:  # no draft in the database: none of its files either
        db.session.rollback()
        store.forget(batch)
        raise
    return redirect(url_for("imports.mapping", batch_id=batch.id))


def mapping_page(upload: Upload, error: str | None = None, status: int = 200):
    return render_template("imports/mapping.html", draft=upload.draft(), sizes=upload.sizes,
                           choices=TARGET_CHOICES, error=error), status


@bp.route("/<int:batch_id>/mapping", methods=["GET", "POST"])
def mapping(batch_id: int):
    batch = get_batch(batch_id, "draft")
    if request.method == "GET":
        return mapping_page(upload_of(batch))
    write_transaction()
    batch = get_batch(batch_id, "draft")
    upload = upload_of(batch)
    sheet = request.form.get("sheet", batch.sheet)
    header_row = request.form.get("header_row", type=int)
    if sheet != batch.sheet or (header_row is not None and header_row - 1 != batch.header_row):
        # another header row: map from there; another sheet: find its header row
        upload.choose(sheet, header_row - 1 if header_row and header_row - 1 != batch.header_row else None)
        db.session.commit()
        return redirect(url_for("imports.mapping", batch_id=batch.id))
    allowed = {key for key, _ in TARGET_CHOICES}
    chosen = {}
    for key, value in request.form.items():
        if key.startswith("col-") and value in allowed:
            chosen[key[4:]] = value
    mapped = [t for t in chosen.values() if t not in (IGNORE, KEEP)]
    if "name" not in mapped:
        db.session.rollback()
        return mapping_page(upload, "Choose the column that holds the program name.", 422)
    duplicates = {t for t in mapped if mapped.count(t) > 1}
    if duplicates:
        db.session.rollback()
        labels = ", ".join(dict(TARGET_CHOICES)[t] for t in sorted(duplicates))
        return mapping_page(upload, f"Two columns are mapped to {labels}; keep one.", 422)
    batch.mapping = chosen
    remember_mapping(upload.draft())
    drafts().convert(batch, upload)
    db.session.commit()
    return redirect(url_for("imports.preview", batch_id=batch.id))


def preview_page(batch: ImportBatch, plan: Plan, error: str | None = None, status: int = 200):
    with collector_paused():
        return render_template("imports/preview.html", batch=batch, plan=plan, error=error,
                               shown_max=None if request.values.get("rows") == "all"
                               else current_app.config["IMPORT_PREVIEW_ROWS"]), status


@bp.get("/<int:batch_id>/preview")
def preview(batch_id: int):
    batch = get_batch(batch_id, "draft")
    return preview_page(batch, plan_of(batch, repeat_choices(request.args)))


def left_out(plan: Plan) -> set[int]:
    """The lines the preview's form leaves out: each ticked row, and the rows of a kind past
    the last one listed when "Leave out the … not listed" is ticked."""
    exclude = {int(v) for v in request.form.getlist("exclude") if v.isdigit()}
    for value in request.form.getlist("exclude_rest"):
        kind, _, last = value.partition(":")
        if kind in CAPPED_KINDS and last.isdigit():
            exclude |= {row.line for row in plan.of_kind(kind) if row.line > int(last)}
    return exclude


@bp.post("/<int:batch_id>/apply")
def apply(batch_id: int):
    write_transaction()
    batch = get_batch(batch_id, "draft")
    # The preview names its draft by the batch's own random id, which no other upload (nor a
    # restored database) can have: Apply in a tab left open applies the file it showed or nothing.
    # (A form without it, from a script, is taken to mean the draft its address names.)
    shown = request.form.get("draft")
    if shown is not None and shown != batch.batch_id:
        abort(409, description="This preview was of another upload, which is no longer a draft here; nothing "
                               "was imported. Open the Import page to see the imports as they are now.")
    plan = plan_of(batch, repeat_choices(request.form))
    if not plan.applicable:
        db.session.rollback()
        return preview_page(batch, plan, "Nothing to import: every row is unchanged or can't be imported.", 409)
    take = set()
    for value in request.form.getlist("take"):
        line, _, key = value.partition(":")
        if line.isdigit() and key in fields.BY_KEY:
            take.add((int(line), key))
    delete = {int(v) for v in request.form.getlist("delete") if v.isdigit()}
    try:
        counts = apply_plan(batch, plan, left_out(plan), take, delete=delete)
    except ImportRefused as exc:
        db.session.rollback()
        return preview_page(get_batch(batch_id, "draft"), plan, exc.message, 409)
    if not any(counts[k] for k in ("created", "updated", "comments", "deleted")):
        # all left out, or every conflict keeps yours
        db.session.rollback()
        flash(f"Nothing was imported from {batch.filename}: the rows that would change something were left out "
              "or keep your values. The draft stays here to apply later.", "ok")
        return redirect(url_for("imports.preview", batch_id=batch_id))
    batch.stored_file = None
    db.session.commit()
    drafts().forget(batch)
    more = "".join([f", {counts['comments']} mentor comments kept" if counts["comments"] else "",
                    f", {counts['deleted']} deleted as removed in the mentor's copy" if counts["deleted"] else ""])
    flash(f"Imported {batch.filename}: {counts['created']} new programs, {counts['updated']} updated "
          f"({counts['cells']} cells){more}.", "ok")
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
    try:
        counts = undo_batch(batch)
    except ImportRefused as exc:
        db.session.rollback()
        batch = get_batch(batch_id, "applied")
        return render_template("imports/undo.html", batch=batch, items=undo_preview(batch), error=exc.message), 409
    db.session.commit()
    kept = f"; {counts['kept']} edited since were kept" if counts["kept"] else ""
    kept += f"; {counts['comments']} mentor comments taken away" if counts.get("comments") else ""
    flash(f"Undid the import of {batch.filename}: {counts['restored']} cells restored, "
          f"{counts['removed']} programs removed{kept}.", "ok")
    return redirect(url_for("imports.batch", batch_id=batch.id))
