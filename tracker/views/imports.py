"""Importing spreadsheets in the browser: upload -> mapping -> preview -> apply; and undo.

The uploaded file is read once, on upload. Beside it in instance/imports go, as JSON, what
the later steps need: the first rows of each sheet (the mapping page), each sheet's rows
(read once, when the mapping is confirmed) and the rows converted with that mapping (the
preview and apply plan them against the programs stored at that moment). A draft whose
kept copies are missing is read again from its file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import os
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import fields
from ..db import db, write_transaction
from ..importing.apply import (Draft, apply_plan, detect, existing_programs, remember_mapping, remembered_mapping,
                               start_draft, undo_batch, undo_preview, with_choices)
from ..importing.mapping import (EXTRA_TARGETS, HEADER_SCAN_ROWS, IGNORE, KEEP, PROGRAM_ID, VISA, IncomingRow,
                                 convert_rows, export_columns, export_info, find_header_row, map_columns)
from ..importing.plan import Plan, PlannedRow, make_plan
from ..importing.read import Sheet, UnreadableFile, read_file
from ..models import ImportBatch, utcnow

bp = Blueprint("imports", __name__, url_prefix="/imports")

TARGET_CHOICES = [(IGNORE, EXTRA_TARGETS[IGNORE]), (KEEP, EXTRA_TARGETS[KEEP]), (VISA, EXTRA_TARGETS[VISA]),
                  (PROGRAM_ID, EXTRA_TARGETS[PROGRAM_ID])] + [(f.key, f.label) for f in fields.FIELDS]
SAMPLE_ROWS = 50  # map_columns takes its examples from the 50 rows below the header
HEAD_ROWS = HEADER_SCAN_ROWS + SAMPLE_ROWS + 10  # kept for the mapping page: the header and its examples
PREVIEW_ROWS = 300  # rows listed per kind on the preview (conflicts are always listed in full)
CAPPED_KINDS = ("new", "changed")


def folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def max_rows() -> int:
    return current_app.config["IMPORT_MAX_ROWS"]


def preview_rows() -> int:
    return current_app.config.get("IMPORT_PREVIEW_ROWS", PREVIEW_ROWS)


def batches() -> list[ImportBatch]:
    return list(db.session.scalars(db.select(ImportBatch).order_by(ImportBatch.id.desc()).limit(50)))


def get_batch(batch_id: int, status: str | None = None) -> ImportBatch:
    batch = db.get_or_404(ImportBatch, batch_id, description="There is no such import.")
    if status and batch.status != status:
        abort(409, description=f"This import is {batch.status}, so it can't be changed here.")
    return batch


_collector = {"paused": 0, "was_enabled": True}
_collector_lock = threading.Lock()


@contextmanager
def collector_paused():
    """Pause Python's cycle collector while a whole file's rows are read, converted or planned.
    They are hundreds of thousands of small objects without cycles, and the collector, set off
    again and again as they are made, went through all of them each time: for 13,000 rows it
    took 0.5 of the preview's 0.7 s. Reference counting still frees them as usual."""
    with _collector_lock:
        if _collector["paused"] == 0:
            _collector["was_enabled"] = gc.isenabled()
            gc.disable()
        _collector["paused"] += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector["paused"] -= 1
            if _collector["paused"] == 0 and _collector["was_enabled"]:
                gc.enable()


# -- what is kept of an upload -----------------------------------------------------

def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$timedelta": value.total_seconds()}
    if isinstance(value, (set, frozenset)):
        return {"$set": sorted(value)}
    raise TypeError(f"{type(value).__name__} is not kept")


DECODERS = {"$datetime": dt.datetime.fromisoformat, "$date": dt.date.fromisoformat,
            "$time": dt.time.fromisoformat, "$timedelta": lambda s: dt.timedelta(seconds=s), "$set": set}


def _decode(obj: dict) -> Any:
    if len(obj) == 1:
        key, value = next(iter(obj.items()))
        if key in DECODERS:
            return DECODERS[key](value)
    return obj


def _path(batch: ImportBatch, part: str) -> Path:
    return folder() / f"{batch.batch_id}.{part}.json"


def _write(path: Path, content: Any) -> None:
    """Write ``path`` whole or not at all: a reader never sees half a file, and two requests
    writing the same part each write their own temporary file."""
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(content, default=_encode, separators=(",", ":")))
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)


def keep_sheets(batch: ImportBatch, sheets: list[Sheet], detected: tuple[Sheet, int, bool]) -> None:
    """Keep each sheet's rows, and its first rows with the detected sheet and header apart."""
    sheet, header_row, exported = detected
    for i, s in enumerate(sheets):
        _write(_path(batch, f"sheet{i}"), s.rows)
    _write(_path(batch, "head"), {
        "sheets": [{"name": s.name, "rows": len(s.rows), "head": s.rows[:HEAD_ROWS]} for s in sheets],
        "detected": {"sheet": sheet.name, "header_row": header_row, "exported": exported},
    })


def forget(batch: ImportBatch) -> None:
    for path in folder().glob(f"{batch.batch_id}.*"):
        path.unlink(missing_ok=True)


DRAFT_KEPT_DAYS = 14


def forget_old_drafts() -> None:
    """Drafts nobody applied keep their file and its copies (several times the file's size) for
    DRAFT_KEPT_DAYS; after that the files go, and the draft asks for the file again."""
    cutoff = utcnow() - dt.timedelta(days=DRAFT_KEPT_DAYS)
    old = db.session.scalars(db.select(ImportBatch).where(
        ImportBatch.status == "draft", ImportBatch.stored_file.is_not(None), ImportBatch.created_at < cutoff))
    for batch in old:
        forget(batch)
        batch.stored_file = None


def read_upload(batch: ImportBatch) -> dict:
    """The first rows of the draft's sheets; read again from its file if they were not kept."""
    try:
        return _read(_path(batch, "head"))
    except (OSError, ValueError):
        pass
    try:
        sheets = read_file((folder() / batch.stored_file).read_bytes(), batch.filename, max_rows=max_rows())
    except (UnreadableFile, OSError, TypeError):
        abort(410, description="The uploaded file of this draft is gone; upload it again.")
    sheet, header_row, _, exported = detect(sheets)
    keep_sheets(batch, sheets, (sheet, header_row, exported is not None))
    return _read(_path(batch, "head"))


@dataclass
class Upload:
    """A draft's file as the mapping page needs it: the sheets' names and sizes, and the
    chosen sheet's first rows (all of them when the header is further down)."""

    batch: ImportBatch
    head: dict

    @property
    def sizes(self) -> dict[str, int]:
        return {s["name"]: s["rows"] for s in self.head["sheets"]}

    def index(self, name: str | None) -> int:
        names = [s["name"] for s in self.head["sheets"]]
        return names.index(name) if name in names else names.index(self.head["detected"]["sheet"])

    def sheet(self, name: str | None, header_row: int = 0) -> Sheet:
        i = self.index(name)
        kept = self.head["sheets"][i]
        if header_row + 1 + SAMPLE_ROWS > len(kept["head"]) and kept["rows"] > len(kept["head"]):
            return self.full_sheet(name)
        return Sheet(kept["name"], kept["head"])

    def full_sheet(self, name: str | None) -> Sheet:
        i = self.index(name)
        try:
            rows = _read(_path(self.batch, f"sheet{i}"))
        except (OSError, ValueError):  # read the file again, and keep it all again
            _path(self.batch, "head").unlink(missing_ok=True)
            self.head = read_upload(self.batch)
            rows = _read(_path(self.batch, f"sheet{i}"))
        return Sheet(self.head["sheets"][i]["name"], rows)

    def draft(self, *, full: bool = False) -> Draft:
        """The sheet, header row and columns the batch says (the user's choices over the detected ones)."""
        from ..exporting import TRACKER_SHEET

        batch, detected = self.batch, self.head["detected"]
        name = batch.sheet if batch.sheet in self.sizes else detected["sheet"]
        header_row = min(batch.header_row or 0, max(self.sizes[name] - 1, 0))
        sheet = self.full_sheet(name) if full else self.sheet(name, header_row)
        exported = None
        if detected["exported"] and name == detected["sheet"] and header_row == detected["header_row"]:
            exported = export_info([self.full_sheet(TRACKER_SHEET)])
        if exported is not None:
            columns = export_columns(sheet, exported)
        else:
            columns = map_columns(sheet, header_row, remembered_mapping(sheet, header_row))
        with_choices(columns, batch.mapping)
        sheets = [Sheet(s["name"]) for s in self.head["sheets"]]
        return Draft(batch, sheets, sheet, header_row, columns, exported)


def _rows_key(batch: ImportBatch) -> dict:
    return {"sheet": batch.sheet, "header_row": batch.header_row, "mapping": batch.mapping}


def convert(batch: ImportBatch, upload: Upload | None = None) -> tuple[list[IncomingRow], int | None]:
    """Convert the sheet's rows with the batch's mapping, and keep them for the preview and apply."""
    draft = (upload or Upload(batch, read_upload(batch))).draft(full=True)
    rows = convert_rows(draft.sheet, draft.header_row, draft.columns)
    mark = draft.exported.change_mark if draft.exported else None
    names = [f.name for f in dataclasses.fields(IncomingRow)]
    _write(_path(batch, "rows"), {"key": _rows_key(batch), "change_mark": mark, "fields": names,
                                  "rows": [[getattr(r, name) for name in names] for r in rows]})
    return rows, mark


def incoming(batch: ImportBatch) -> tuple[list[IncomingRow], int | None]:
    """The rows converted with the batch's mapping, as kept when it was confirmed."""
    try:
        kept = _read(_path(batch, "rows"))
    except (OSError, ValueError):
        kept = None
    names = [f.name for f in dataclasses.fields(IncomingRow)]
    if kept is None or kept["key"] != json.loads(json.dumps(_rows_key(batch))) or kept["fields"] != names:
        return convert(batch)
    rows = [IncomingRow(*values) for values in kept["rows"]]
    for row in rows:
        row.kept = [tuple(k) for k in row.kept]
    return rows, kept["change_mark"]


def messages(row: PlannedRow) -> list[str]:
    """What the preview says under a row: cells left out, and what the file says that is not applied."""
    return list(getattr(row, "messages", None) or row.incoming.skipped.values())


def plan_of(batch: ImportBatch) -> Plan:
    rows, mark = incoming(batch)
    return make_plan(rows, existing_programs(mark))


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
    try:
        with collector_paused():
            sheets = read_file(data, upload.filename, max_rows=max_rows())
    except UnreadableFile as exc:
        return render_template("imports/index.html", batches=batches(), error=exc.message), exc.status
    write_transaction()
    batch, detected = start_draft(data, upload.filename, folder(), sheets)
    try:
        keep_sheets(batch, sheets, detected)
        forget_old_drafts()
        db.session.commit()
    except BaseException:  # no draft in the database: none of its files either
        db.session.rollback()
        forget(batch)
        raise
    return redirect(url_for("imports.mapping", batch_id=batch.id))


def mapping_page(upload: Upload, error: str | None = None, status: int = 200):
    return render_template("imports/mapping.html", draft=upload.draft(), sizes=upload.sizes,
                           choices=TARGET_CHOICES, error=error), status


@bp.route("/<int:batch_id>/mapping", methods=["GET", "POST"])
def mapping(batch_id: int):
    batch = get_batch(batch_id, "draft")
    if request.method == "GET":
        return mapping_page(Upload(batch, read_upload(batch)))
    write_transaction()
    batch = get_batch(batch_id, "draft")
    upload = Upload(batch, read_upload(batch))
    sheet = request.form.get("sheet", batch.sheet)
    header_row = request.form.get("header_row", type=int)
    if sheet != batch.sheet or (header_row is not None and header_row - 1 != batch.header_row):
        # another header row: map from there; another sheet: find its header row
        sheet = sheet if sheet in upload.sizes else batch.sheet
        if header_row and header_row - 1 != batch.header_row:
            row = header_row - 1
        else:
            row = find_header_row(upload.sheet(sheet))
        batch.sheet = sheet
        batch.header_row = max(0, min(row, upload.sizes[sheet] - 1))
        batch.mapping = {str(c.index): c.target for c in map_columns(upload.sheet(sheet, batch.header_row),
                                                                     batch.header_row)}
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
    with collector_paused():
        convert(batch, upload)
    db.session.commit()
    return redirect(url_for("imports.preview", batch_id=batch.id))


@bp.get("/<int:batch_id>/preview")
def preview(batch_id: int):
    batch = get_batch(batch_id, "draft")
    with collector_paused():
        return render_template("imports/preview.html", batch=batch, plan=plan_of(batch), messages=messages,
                               shown_max=None if request.args.get("rows") == "all" else preview_rows())


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
    with collector_paused():
        plan = plan_of(batch)
    take = set()
    for value in request.form.getlist("take"):
        line, _, key = value.partition(":")
        if line.isdigit() and key in fields.BY_KEY:
            take.add((int(line), key))
    counts = apply_plan(batch, plan, left_out(plan), take)
    batch.stored_file = None
    db.session.commit()
    forget(batch)
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
