"""Read an uploaded file into sheets of plain cell values, refusing what is not a spreadsheet
we can read safely. Pure: bytes in, values out, no Flask, no database.

xlsx and xlsm are read with python-calamine (fast, and it never runs macros); before that the
zip's declared sizes are checked, so a zip bomb is refused without being inflated. CSV is
decoded as UTF-8 (with or without a BOM) or, failing that, Windows-1252, and its separator
(comma, semicolon or tab) is detected.

An XML part that declares a document type (DOCTYPE, where entities are declared) is refused:
Excel never writes one, and entities are how an "XML bomb" expands. A sheet with more than
``max_rows`` rows of programs below its header is refused, so nothing is half-imported."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from .headers import find_header_row

MAX_ROWS = 20_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # what the zip may declare, all members together
MAX_RATIO = 200  # declared size / compressed size for one member
MAX_PROLOG = 1024 * 1024  # what may come before an XML part's first element
TITLE_ROWS = 30  # rows above the header (headers.HEADER_SCAN_ROWS) that are not programs

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and every password-protected workbook


class UnreadableFile(Exception):
    """A file we refuse, with a message for the person who uploaded it."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def kind_of(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in ("xlsx", "xlsm"):
        return "xlsx"
    if ext in ("csv", "txt", "tsv"):
        return "csv"
    if ext == "xls":
        raise UnreadableFile("Old Excel .xls files can't be read. Open it in Excel or LibreOffice and save it "
                             "as .xlsx (Excel Workbook), then upload that.", 415)
    raise UnreadableFile(f"“{filename}” is not a spreadsheet this tracker reads: upload an .xlsx, .xlsm or "
                         ".csv file.", 415)


def too_large(name: str, limit: int) -> str:
    """What a file over the upload limit is told (the Import page and `tracker import` alike)."""
    most = f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit / 2**10:g} KB"
    return (f"{name} is larger than {most}, the most this tracker accepts. Nothing was imported; "
            "remove unused sheets or split the file.")


def read_file(data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> list[Sheet]:
    """Every sheet of the file, each a list of rows of cell values (str, int, float, date,
    datetime, bool or None), trailing empty rows and columns removed."""
    if not data:
        raise UnreadableFile(f"“{filename}” is empty (0 bytes).")
    kind = kind_of(filename)
    if data.startswith(OLE2_MAGIC):
        raise UnreadableFile(f"“{filename}” is password-protected or an old .xls file. Remove the password "
                             "(or save it as .xlsx) and upload it again.", 415)
    sheets = _read_xlsx(data, filename, max_rows) if kind == "xlsx" else [_read_csv(data, filename, max_rows)]
    sheets = [s for s in sheets if s.rows]
    if not sheets:
        raise UnreadableFile(f"“{filename}” has no data in it.", 422)
    for sheet in sheets:
        _check_rows(sheet, filename if kind == "csv" else f"Sheet “{sheet.name}”", max_rows)
    return sheets


def _is_blank_row(row: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _too_many(where: str, max_rows: int, count: int | None = None) -> UnreadableFile:
    counted = f"{count:,} rows of programs" if count is not None else f"more than {max_rows:,} rows"
    return UnreadableFile(f"{where} has {counted}; this tracker imports at most {max_rows:,} at once. Split "
                          "the file and import it in parts.", 413)


def _check_rows(sheet: Sheet, where: str, max_rows: int) -> None:
    """Refuse a sheet with more than ``max_rows`` non-empty rows below its header row."""
    header = find_header_row(sheet)
    count = sum(not _is_blank_row(row) for row in sheet.rows[header + 1:])
    if count > max_rows:
        raise _too_many(where, max_rows, count)


class _RowCounter:
    """Stops reading early, while the rows are streamed, once a sheet is surely too long:
    more non-empty rows than ``max_rows`` and the title rows, or far too many rows at all."""

    def __init__(self, where: str, max_rows: int):
        self.where, self.max_rows = where, max_rows
        self.filled = self.total = 0

    def add(self, row: list[Any]) -> None:
        self.total += 1
        self.filled += not _is_blank_row(row)
        if self.filled > self.max_rows + TITLE_ROWS or self.total > 4 * self.max_rows + 1000:
            raise _too_many(self.where, self.max_rows)


def _check_zip(data: bytes, filename: str) -> None:
    if not data.startswith(b"PK"):
        raise UnreadableFile(f"“{filename}” is not an Excel workbook, although its name ends in .xlsx.", 415)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise UnreadableFile(f"“{filename}” is damaged or incomplete (perhaps cut short while downloading). "
                             "Open it in Excel and save it again.", 422) from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise UnreadableFile(f"“{filename}” is a zip archive but not an Excel workbook.", 415)
    if "xl/workbook.bin" in names:
        raise UnreadableFile(f"“{filename}” is a binary workbook (.xlsb). Save it as .xlsx and upload that.", 415)
    total = sum(m.file_size for m in members)
    for m in members:
        if m.compress_size and m.file_size / m.compress_size > MAX_RATIO and m.file_size > 10 * 1024 * 1024:
            raise UnreadableFile(f"“{filename}” unpacks to far more data than a spreadsheet holds; refused.", 413)
    if total > MAX_UNCOMPRESSED:
        raise UnreadableFile(f"“{filename}” unpacks to {total // (1024 * 1024):,} MB, more than this tracker "
                             "reads; refused.", 413)
    bad = archive.testzip() if len(data) < 2 * 1024 * 1024 else None
    if bad:
        raise UnreadableFile(f"“{filename}” is damaged (its part {bad} is corrupt). Save it again in Excel.", 422)
    for m in members:
        if m.filename.lower().endswith((".xml", ".rels", ".vml")) and _declares_doctype(archive, m):
            raise UnreadableFile(f"“{filename}” holds XML with a document type declaration (its part "
                                 f"{m.filename}), which Excel never writes and which can hide an XML bomb; "
                                 "refused. Open it in Excel and save it again as .xlsx.", 422)


ROOT_START = re.compile(rb"<[A-Za-z_]")


def _declares_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whether the part's prolog (what comes before its first element) declares a DOCTYPE or
    an ENTITY. Only the prolog is inflated, at most MAX_PROLOG bytes of it."""
    head = b""
    try:
        with archive.open(member) as part:
            while len(head) < MAX_PROLOG:
                chunk = part.read(64 * 1024)
                if not chunk:
                    break
                head += chunk
                if ROOT_START.search(_as_utf8(head)):
                    break
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError, RuntimeError):
        return False  # the reader says what is wrong with it
    text = _as_utf8(head)
    root = ROOT_START.search(text)
    if root is None:
        return len(head) >= MAX_PROLOG  # a megabyte of prolog is no spreadsheet's
    prolog = text[:root.start()].upper()
    return b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog


def _as_utf8(head: bytes) -> bytes:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as XML may be
        return head.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    return head


def _read_xlsx(data: bytes, filename: str, max_rows: int) -> list[Sheet]:
    from python_calamine import CalamineError, CalamineWorkbook

    _check_zip(data, filename)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.width > MAX_COLUMNS:
                raise UnreadableFile(f"Sheet “{name}” has {sheet.width:,} columns; this tracker reads at most "
                                     f"{MAX_COLUMNS}.", 413)
            rows = []
            counter = _RowCounter(f"Sheet “{name}”", max_rows)
            for row in sheet.iter_rows():
                rows.append([_cell(v, name) for v in row])
                counter.add(rows[-1])
            sheets.append(Sheet(name, _trim(rows)))
        return sheets
    except UnreadableFile:
        raise
    except (CalamineError, ValueError, TypeError, OSError, zipfile.BadZipFile) as exc:
        raise UnreadableFile(f"“{filename}” could not be read as a workbook ({type(exc).__name__}). "
                             "Open it in Excel and save it again as .xlsx.", 422) from None


def _cell(value: Any, sheet: str) -> Any:
    if value == "":
        return None
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise UnreadableFile(f"Sheet “{sheet}” has a cell of {len(value):,} characters, more than a "
                             "spreadsheet cell holds.", 413)
    return value


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails: every byte is a character


def _read_csv(data: bytes, filename: str, max_rows: int) -> Sheet:
    if b"\x00" in data[:4096]:
        raise UnreadableFile(f"“{filename}” is not a text (CSV) file.", 415)
    text = _decode(data)
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = max(",;\t", key=first.count)
    csv.field_size_limit(MAX_CELL_CHARS + 1)
    rows = []
    counter = _RowCounter(f"“{filename}”", max_rows)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(row) > MAX_COLUMNS:
                raise UnreadableFile(f"“{filename}” has {len(row):,} columns; this tracker reads at most "
                                     f"{MAX_COLUMNS}.", 413)
            rows.append([_cell(v.strip() if isinstance(v, str) else v, "CSV") for v in row])
            counter.add(rows[-1])
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UnreadableFile(f"“{filename}” has a cell of more than {MAX_CELL_CHARS:,} characters, more "
                                 "than a spreadsheet cell holds.", 413) from None
        raise UnreadableFile(f"“{filename}” is not a well-formed CSV file ({exc}).", 422) from None
    return Sheet(filename.rsplit("/", 1)[-1], _trim(rows))


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = 0
    for row in rows:
        for i in range(len(row) - 1, -1, -1):
            if row[i] is not None:
                width = max(width, i + 1)
                break
    return [row[:width] + [None] * (width - len(row)) for row in rows]
