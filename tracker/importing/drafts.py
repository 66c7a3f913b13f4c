"""Import drafts: which sheet, header row and columns a file has, and an uploaded file kept
until it is applied.

``detect`` decides what a file is (the Import page and ``tracker import`` alike); ``plan``
turns its rows into what would change. An upload in the browser becomes a draft batch whose
file is kept in a folder (instance/imports), read once: beside it go, as gzipped JSON, what the
later steps need (the first rows of each sheet for the mapping page, each sheet's rows, and the
rows converted with the confirmed mapping, which the preview and apply plan against the programs
stored at that moment). The copies stay within COPIES_PER_FILE times the file's size (a small
workbook can decode to millions of characters): a copy that would pass that is not kept, and a
draft whose kept copies are missing is read again from its file.
No Flask here; the caller opens the write transaction and commits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import gzip
import json
import os
import tempfile
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa

from ..changes import change_mark, new_batch_id
from ..db import db
from ..exporting import PROGRAMS_SHEET, TRACKER_SHEET
from ..models import ImportBatch, ImportMapping, utcnow
from ..tenancy import EVERY_OWNER
from .apply import existing_programs
from .headers import HEADER_SCAN_ROWS, IGNORE, find_header_row, pick_sheet
from .mapping import (Column, ExportInfo, IncomingRow, convert_rows, export_columns, export_info, map_columns,
                      signature)
from .plan import Plan, make_plan
from .read import Sheet, UnreadableFile, read_file

SAMPLE_ROWS = 50  # map_columns takes its examples from the 50 rows below the header
HEAD_ROWS = HEADER_SCAN_ROWS + SAMPLE_ROWS + 10  # kept for the mapping page: the header and its examples
DRAFT_KEPT_DAYS = 14
# An upload writes its files before its draft is committed: files no draft names are left alone
# this long (then they are a crashed upload's, or of drafts a restore or `demo --force` took away).
LEFTOVER_GRACE_SECONDS = 15 * 60
COPIES_PER_FILE = 3  # a draft's copies on disk, in times its file's size...
COPIES_FLOOR = 1024 * 1024  # ...or this, for a small file
DISTINCT_NUMBERS = 200_000  # numbers of a copy read back shared (a 20,000 x 140 sheet of few values: 80 MB less)


class DraftGone(Exception):
    """The draft's file and its copies are gone (cleared after DRAFT_KEPT_DAYS, or by hand)."""

    message = "The uploaded file of this draft is gone; upload it again."


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


def give_memory_back() -> None:
    """Hand the memory a whole file's rows took back to the system once they are freed: the C
    allocator keeps it otherwise, and the server stays 60 MB larger after each big upload."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


# -- what a file is ----------------------------------------------------------------------


class Detected(NamedTuple):
    """The sheet of a file to import, its header row and columns, and (a returned export) what
    its hidden sheet says."""

    sheet: Sheet
    header_row: int
    columns: list[Column]
    exported: ExportInfo | None


def remembered_mapping(sheet: Sheet, header_row: int) -> dict[str, str] | None:
    headers = [c.header for c in map_columns(sheet, header_row)]
    stored = db.session.scalar(sa.select(ImportMapping).where(ImportMapping.signature == signature(headers)))
    return dict(stored.mapping) if stored else None


def columns_of(sheet: Sheet, header_row: int, exported: ExportInfo | None = None) -> list[Column]:
    """A sheet's columns below ``header_row``: a returned export's by its own headers, any other
    sheet's by the mapping remembered for its headers or else the suggested one."""
    if exported is not None:
        return export_columns(sheet, exported)
    return map_columns(sheet, header_row, remembered_mapping(sheet, header_row))


def detect(sheets: list[Sheet], only: str | None = None) -> Detected:
    """What a file is: a returned export by its hidden sheet (whichever sheet ``only`` names, or
    its Programs sheet), any other file by the best-looking sheet (or the one ``only`` names)
    with its header row found and its columns mapped."""
    exported = export_info(sheets)
    if exported is not None and only in (None, PROGRAMS_SHEET):
        sheet = next((s for s in sheets if s.name == PROGRAMS_SHEET), None)
        if sheet is not None:
            return Detected(sheet, 0, columns_of(sheet, 0, exported), exported)
    candidates = [s for s in sheets if s.name == only] if only else sheets
    sheet = candidates[pick_sheet(candidates)]
    header_row = find_header_row(sheet)
    return Detected(sheet, header_row, columns_of(sheet, header_row), None)


def check_change_mark(exported: ExportInfo | None) -> None:
    """A returned export's change mark must be one this tracker gave: from 0 to its newest change
    (changes.change_mark). One beyond it (a hidden sheet edited by hand, 1e20 or 10^9) would hide
    every edit made in the tracker since, so that the import overwrote them: UnreadableFile."""
    if exported is None:
        return
    newest = change_mark()
    if not 0 <= exported.change_mark <= newest:
        raise UnreadableFile(
            f"This workbook's hidden {TRACKER_SHEET} sheet was changed: its change mark ({exported.change_mark:g}) "
            f"is not one this tracker gave (they go up to {newest}), so the edits made in the tracker since the "
            "export can't be told from the mentor's. Nothing was imported; export again, or copy the mentor's "
            "rows into a plain sheet and import that.", 422)


def with_choices(columns: list[Column], mapping: dict[str, str] | None) -> list[Column]:
    """The columns with the user's choices (a batch's mapping) over the detected targets."""
    for column in columns:
        target = (mapping or {}).get(str(column.index))
        if target is not None and target != column.target:
            column.target = target
            column.how = "chosen"
            column.confidence = 100 if target != IGNORE else 0
    return columns


def new_batch(filename: str, detected: Detected) -> ImportBatch:
    """A batch recording the file and what was detected (added to the session)."""
    batch = ImportBatch(batch_id=new_batch_id(), filename=filename[:255], sheet=detected.sheet.name,
                        header_row=detected.header_row,
                        mapping={str(c.index): c.target for c in detected.columns})
    db.session.add(batch)
    return batch


def plan(rows: list[IncomingRow], change_mark: int | None, choices: dict[int, str] | None = None,
         exported_ids: list[int] | None = None) -> Plan:
    """What the converted ``rows`` would change in the current season (a returned export's
    ``change_mark`` tells its own edits from those made in the tracker since, and its
    ``exported_ids`` the rows the mentor deleted); ``choices`` picks the row imported of each
    repeated program (tracker.importing.plan.Repeat)."""
    return make_plan(rows, existing_programs(change_mark), choices, exported_ids)


def remember_mapping(draft: Draft) -> None:
    """Keep the mapping the user confirmed, for the next file with the same headers."""
    key = signature(draft.headers)
    mapping = {str(c.index): c.target for c in draft.columns}
    stored = db.session.scalar(sa.select(ImportMapping).where(ImportMapping.signature == key))
    if stored is None:
        db.session.add(ImportMapping(signature=key, mapping=mapping))
    else:
        stored.mapping = mapping


# -- what is kept of an upload -------------------------------------------------------------


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


class _NoRoom(Exception):
    pass


def _write(path: Path, content: Any, room: int | None = None) -> int:
    """Write ``path`` (gzipped JSON) whole or not at all: a reader never sees half a file, and two
    requests writing the same part each write their own temporary file. A list (a sheet's rows) is
    written an item at a time, so that its JSON is never in memory whole. Returns the bytes
    written; 0, and nothing kept, when they would be more than ``room``."""
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as out:
                items = content if isinstance(content, list) else None
                if items is None:
                    out.write(json.dumps(content, default=_encode, separators=(",", ":")).encode("utf-8"))
                else:
                    out.write(b"[")
                    for i, item in enumerate(items):
                        out.write((b"," if i else b"") + json.dumps(item, default=_encode,
                                                                    separators=(",", ":")).encode("utf-8"))
                        if room is not None and raw.tell() > room:
                            raise _NoRoom()
                    out.write(b"]")
            size = raw.tell()
        if room is not None and size > room:
            raise _NoRoom()
        os.replace(partial, path)
        return size
    except _NoRoom:
        Path(partial).unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        return 0
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _read(path: Path) -> Any:
    """A copy written by ``_write`` (OSError when missing, ValueError when damaged)."""
    numbers: dict[str, float] = {}

    def number(text: str) -> float:  # one object for each repeated number, not one per cell
        value = numbers.get(text)
        if value is None:
            value = float(text)
            if len(numbers) < DISTINCT_NUMBERS:
                numbers[text] = value
        return value

    try:
        return json.loads(gzip.decompress(path.read_bytes()), object_hook=_decode, parse_float=number)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ValueError(f"{path.name} is damaged") from exc


@dataclass
class Draft:
    """A draft import read back: the sheet, its header row and its columns."""

    batch: ImportBatch
    sheets: list[Sheet]
    sheet: Sheet
    header_row: int
    columns: list[Column]
    exported: ExportInfo | None = None

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


class DraftStore:
    """The drafts kept in ``folder``; files are read with at most ``max_rows`` rows of programs."""

    def __init__(self, folder: Path, max_rows: int):
        self.folder = folder
        self.max_rows = max_rows

    def _path(self, batch: ImportBatch, part: str) -> Path:
        return self.folder / f"{batch.batch_id}.{part}.json.gz"

    def _room(self, batch: ImportBatch, part: str) -> int:
        """The bytes the copy ``part`` may take: the draft's allowance less its other copies."""
        try:
            size = (self.folder / batch.stored_file).stat().st_size
        except (OSError, TypeError):
            return 0
        used = sum(p.stat().st_size for p in self.folder.glob(f"{batch.batch_id}.*.json.gz")
                   if p != self._path(batch, part))
        return max(COPIES_FLOOR, COPIES_PER_FILE * size) - used

    def _sheets_from_file(self, batch: ImportBatch) -> list[Sheet]:
        """The draft's sheets read again from its file (DraftGone when the file is gone)."""
        try:
            data = (self.folder / batch.stored_file).read_bytes()
            with collector_paused():
                return read_file(data, batch.filename, max_rows=self.max_rows)
        except (UnreadableFile, OSError, TypeError):
            raise DraftGone() from None

    def read(self, data: bytes, filename: str) -> list[Sheet]:
        """The file's sheets (UnreadableFile for a file that is broken, hostile or too long)."""
        with collector_paused():
            return read_file(data, filename, max_rows=self.max_rows)

    def start(self, data: bytes, filename: str, sheets: list[Sheet]) -> ImportBatch:
        """A draft of the file (already read into ``sheets``: a bad one raised UnreadableFile
        before anything was stored): the file and its sheets kept in the folder, a draft batch
        with the detected sheet, header and mapping. Drafts left for DRAFT_KEPT_DAYS give their
        files back. The caller commits, and calls ``forget`` if that fails."""
        detected = detect(sheets)
        check_change_mark(detected.exported)
        batch = new_batch(filename, detected)
        self.folder.mkdir(parents=True, exist_ok=True)
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "csv"
        path = self.folder / f"{batch.batch_id}.{suffix}"
        batch.stored_file = path.name
        try:
            path.write_bytes(data)
            self._keep_sheets(batch, sheets, detected)
            self.forget_old()
            self.forget_unknown()
        except BaseException:
            self.forget(batch)
            raise
        return batch

    def _keep_sheets(self, batch: ImportBatch, sheets: list[Sheet], detected: Detected) -> dict:
        """Keep the first rows of each sheet with the detected sheet and header apart, and each
        sheet's rows as far as the draft's allowance goes (a sheet not kept is read again from the
        file when it is needed). Returns the head."""
        head = {
            "sheets": [{"name": s.name, "rows": len(s.rows), "head": s.rows[:HEAD_ROWS], "notes": s.notes}
                       for s in sheets],
            "detected": {"sheet": detected.sheet.name, "header_row": detected.header_row,
                         "exported": detected.exported is not None},
        }
        _write(self._path(batch, "head"), head, self._room(batch, "head"))
        for i, s in enumerate(sheets):
            _write(self._path(batch, f"sheet{i}"), s.rows, self._room(batch, f"sheet{i}"))
        return json.loads(json.dumps(head, default=_encode), object_hook=_decode)  # as read back

    def forget(self, batch: ImportBatch) -> None:
        """Remove the draft's file and its copies (applied, or never stored)."""
        for path in self.folder.glob(f"{batch.batch_id}.*"):
            path.unlink(missing_ok=True)

    def forget_old(self) -> None:
        """Drafts nobody applied keep their file and its copies (several times the file's size) for
        DRAFT_KEPT_DAYS; after that the files go, and the draft asks for the file again."""
        cutoff = utcnow() - dt.timedelta(days=DRAFT_KEPT_DAYS)
        old = db.session.scalars(sa.select(ImportBatch).where(
            ImportBatch.status == "draft", ImportBatch.stored_file.is_not(None), ImportBatch.created_at < cutoff))
        for batch in old:
            self.forget(batch)
            batch.stored_file = None

    def forget_unknown(self, grace: float = LEFTOVER_GRACE_SECONDS, gone: set[str] = frozenset()) -> list[Path]:
        """Remove the files in the folder that no draft in the database keeps: those of an upload
        that crashed before its draft was committed, or of drafts a restore took away, once older
        than ``grace`` seconds; those of the drafts named in ``gone`` (drafts the database had
        until just now) at once. A draft of any applicant keeps its files, not only the one of
        the request that tidies. Returns what was removed."""
        if not self.folder.is_dir():
            return []
        # the folder is every applicant's (accounts, tracker.tenancy): so are the drafts that keep files
        kept = set(db.session.scalars(sa.select(ImportBatch.batch_id).where(
            ImportBatch.status == "draft", ImportBatch.stored_file.is_not(None))
            .execution_options(**{EVERY_OWNER: True})))
        cutoff = time.time() - grace
        removed = []
        for path in self.folder.iterdir():
            owner = path.name.split(".", 1)[0]  # "<batch id>.xlsx", "<batch id>.head.json.gz[.*.partial]"
            if owner in kept or not path.is_file():
                continue
            try:
                if owner in gone or path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:  # another request removed it first
                pass
        return removed

    def head(self, batch: ImportBatch) -> dict:
        """The first rows of the draft's sheets; read again from its file if they were not kept.
        DraftGone when the file is gone too."""
        try:
            return _read(self._path(batch, "head"))
        except (OSError, ValueError):
            pass
        sheets = self._sheets_from_file(batch)
        return self._keep_sheets(batch, sheets, detect(sheets))

    def upload(self, batch: ImportBatch) -> Upload:
        return Upload(self, batch, self.head(batch))

    def convert(self, batch: ImportBatch, upload: Upload | None = None) -> tuple[list[IncomingRow], int | None]:
        """Convert the sheet's rows with the batch's mapping, and keep them for the preview and apply."""
        draft = (upload or self.upload(batch)).draft(full=True)
        with collector_paused():
            rows = convert_rows(draft.sheet, draft.header_row, draft.columns)
            mark = draft.exported.change_mark if draft.exported else None
            ids = list(draft.exported.ids) if draft.exported else None
            names = [f.name for f in dataclasses.fields(IncomingRow)]
            _write(self._path(batch, "rows"), {"key": _rows_key(batch), "change_mark": mark, "fields": names,
                                               "exported_ids": ids,
                                               "rows": [[getattr(r, name) for name in names] for r in rows]},
                   self._room(batch, "rows"))
        return rows, mark, ids

    def incoming(self, batch: ImportBatch) -> tuple[list[IncomingRow], int | None, list[int] | None]:
        """The rows converted with the batch's mapping, as kept when it was confirmed."""
        try:
            kept = _read(self._path(batch, "rows"))
        except (OSError, ValueError):
            kept = None
        names = [f.name for f in dataclasses.fields(IncomingRow)]
        if (kept is None or kept["key"] != json.loads(json.dumps(_rows_key(batch))) or kept["fields"] != names
                or "exported_ids" not in kept):
            return self.convert(batch)
        rows = [IncomingRow(*values) for values in kept["rows"]]
        for row in rows:
            row.kept = [tuple(k) for k in row.kept]
        return rows, kept["change_mark"], kept["exported_ids"]

    def plan(self, batch: ImportBatch, choices: dict[int, str] | None = None) -> Plan:
        """What the draft would change now (``choices``: the row imported of each repeated program)."""
        with collector_paused():
            rows, mark, ids = self.incoming(batch)
            return plan(rows, mark, choices, ids)


def _rows_key(batch: ImportBatch) -> dict:
    return {"sheet": batch.sheet, "header_row": batch.header_row, "mapping": batch.mapping}


@dataclass
class Upload:
    """A draft's file as the mapping page needs it: the sheets' names and sizes, and the
    chosen sheet's first rows (all of them when the header is further down)."""

    store: DraftStore
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
        return Sheet(kept["name"], kept["head"], kept.get("notes") or [])

    def full_sheet(self, name: str | None) -> Sheet:
        i = self.index(name)
        try:
            rows = _read(self.store._path(self.batch, f"sheet{i}"))
        except (OSError, ValueError):  # not kept (or gone): read the file again
            rows = self.store._sheets_from_file(self.batch)[i].rows
        kept = self.head["sheets"][i]
        return Sheet(kept["name"], rows, kept.get("notes") or [])

    def choose(self, name: str | None, header_row: int | None) -> None:
        """Another sheet (its header row found again) or another header row of this one: the
        batch maps its columns afresh from there."""
        name = name if name in self.sizes else self.batch.sheet
        row = header_row if header_row is not None else find_header_row(self.sheet(name))
        self.batch.sheet = name
        self.batch.header_row = max(0, min(row, self.sizes[name] - 1))
        columns = map_columns(self.sheet(name, self.batch.header_row), self.batch.header_row)
        self.batch.mapping = {str(c.index): c.target for c in columns}

    def draft(self, *, full: bool = False) -> Draft:
        """The sheet, header row and columns the batch says (the user's choices over the detected ones)."""
        batch, detected = self.batch, self.head["detected"]
        name = batch.sheet if batch.sheet in self.sizes else detected["sheet"]
        header_row = min(batch.header_row or 0, max(self.sizes[name] - 1, 0))
        sheet = self.full_sheet(name) if full else self.sheet(name, header_row)
        exported = None
        if detected["exported"] and name == detected["sheet"] and header_row == detected["header_row"]:
            exported = export_info([self.full_sheet(TRACKER_SHEET)])
        columns = with_choices(columns_of(sheet, header_row, exported), batch.mapping)
        sheets = [Sheet(s["name"]) for s in self.head["sheets"]]
        return Draft(batch, sheets, sheet, header_row, columns, exported)
