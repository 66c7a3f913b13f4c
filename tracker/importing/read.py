"""Read an uploaded file into sheets of plain cell values, refusing what is not a spreadsheet
we can read safely. Pure: bytes in, values out, no Flask, no database.

xlsx and xlsm are read with python-calamine (fast, and it never runs macros); before that the
zip's declared sizes are checked, so a zip bomb is refused without being inflated, and each
part is scanned for a cell far outside any program list (calamine would allocate the whole
rectangle up to it: 512 GB for one cell at XFD1048576). CSV is decoded as UTF-8 (with or
without a BOM), UTF-16 (Excel's "Unicode Text") or, failing those, Windows-1252, and its
separator (comma, semicolon or tab) is detected. Invisible characters (zero-width spaces, soft
hyphens, byte-order marks) are taken out of every text cell.

An XML part that declares a document type (DOCTYPE, where entities are declared) is refused:
Excel never writes one, and entities are how an "XML bomb" expands. A sheet with more than
``max_rows`` rows of programs below its header is refused, so nothing is half-imported."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.etree import ElementTree
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
MAX_TEXT = 40_000_000  # characters of text all cells decode to (a shared string counts each time it is used)
MAX_DEPTH = 100_000  # a cell in a row below this is far outside any program list
# Characters that show as nothing: zero-width space, non-joiner, joiner, word joiner, BOM, soft hyphen.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"))


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
    # the sheet's comments (Excel's cell notes, and the text of its threaded comments):
    # [row, column (both 0-based, as in rows), author, text]
    notes: list[list[Any]] = field(default_factory=list)

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
    """Collects a sheet's rows as they are streamed, and stops early once the sheet is surely too
    long: more non-empty rows than ``max_rows`` and the title rows, or data spread over far too
    many rows. Empty rows are held back until a row with data follows, so the empty rows a sheet
    claims below its data (LibreOffice's million) are counted, never kept."""

    def __init__(self, where: str, max_rows: int):
        self.where, self.max_rows = where, max_rows
        self.filled = self.pending = 0
        self.rows: list[list[Any]] = []

    def add(self, row: list[Any]) -> None:
        if _is_blank_row(row):
            self.pending += 1
            return
        self.filled += 1
        if self.pending:
            if len(self.rows) + self.pending > 4 * self.max_rows + 1000:
                raise _too_many(self.where, self.max_rows)
            self.rows.extend([None] * len(row) for _ in range(self.pending))
            self.pending = 0
        self.rows.append(row)
        if self.filled > self.max_rows + TITLE_ROWS:
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
    names = {m.filename.replace("\\", "/").lower() for m in members}
    if any(n.endswith("workbook.bin") for n in names):
        raise UnreadableFile(f"“{filename}” is a binary workbook (.xlsb). Save it as .xlsx and upload that.", 415)
    if not any(n.endswith("workbook.xml") for n in names) and not _declares_workbook(archive):
        raise UnreadableFile(f"“{filename}” is a zip archive but not an Excel workbook.", 415)
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
    text = _decoded_text(archive, members)
    if text > MAX_TEXT:
        raise UnreadableFile(f"“{filename}” holds {text:,} characters of text once its repeated cells are spelled "
                             f"out, more than this tracker reads ({MAX_TEXT:,}); a program list holds far less. "
                             "Delete the long repeated text, save it and upload it again.", 413)
    for m in members:
        if m.filename.lower().endswith(".xml"):
            far = _far_cell(archive, m)
            if far:
                raise UnreadableFile(f"“{filename}” has a cell at {far}, far outside any program list (this tracker "
                                     f"reads at most {MAX_COLUMNS} columns and {MAX_DEPTH:,} rows). Delete the rows "
                                     "and columns beyond your data, save it and upload it again.", 413)


def _declares_workbook(archive: zipfile.ZipFile) -> bool:
    """Whether the package's content types name a workbook part (a custom part name, not
    xl/workbook.xml)."""
    for m in archive.infolist():
        if m.filename.replace("\\", "/").lower() == "[content_types].xml" and m.file_size < MAX_PROLOG:
            try:
                types = archive.read(m)
            except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError, RuntimeError):
                return False
            return b"spreadsheetml.sheet.main" in types or b"sheet.macroEnabled.main" in types
    return False


# A cell reference past column GR (200) or in a row of six digits; whether it is a cell with a value
# is checked where one is found.
FAR_REF = re.compile(rb' r="((?:[A-Z]{3}|[H-Z][A-Z]|G[S-Z])[0-9]+|[A-Z]{1,3}[1-9][0-9]{5,})"')


def _far_cell(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> str | None:
    """The reference of a cell with a value far outside any program list, if the part has one."""
    tail = b""
    try:
        with archive.open(member) as part:
            while True:
                chunk = part.read(1 << 20)
                if not chunk:
                    return None
                buf = tail + chunk
                for match in FAR_REF.finditer(buf):
                    start = buf.rfind(b"<", 0, match.start())
                    end = buf.find(b">", match.end())
                    tag = buf[start + 1:match.start()].split()[0] if start >= 0 else b""
                    if (tag == b"c" or tag.endswith(b":c")) and end > 0 and buf[end - 1:end] != b"/":
                        return match.group(1).decode()
                tail = buf[-4096:]
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError, RuntimeError):
        return None  # the reader says what is wrong with it


SHARED_ITEM = re.compile(rb"<(?:\w+:)?si\b.*?</(?:\w+:)?si>", re.S)
SHARED_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\bt=[\"']s[\"'][^>]*>\s*<(?:\w+:)?v>\s*(\d+)\s*</")
MARKUP = re.compile(rb"<[^>]*>")


def _streamed(archive: zipfile.ZipFile, member: zipfile.ZipInfo, pattern: re.Pattern, keep: int):
    """The matches of ``pattern`` in a part, inflated 1 MB at a time (a match is at most ``keep`` bytes)."""
    tail = b""
    with archive.open(member) as part:
        while True:
            chunk = part.read(1 << 20)
            if not chunk:
                return
            buf = tail + chunk
            end = 0
            for match in pattern.finditer(buf):
                end = match.end()
                yield match
            tail = buf[max(end, len(buf) - keep):]


def _decoded_text(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> int:
    """About how many characters the sheets' cells decode to: each use of a shared string counts its
    length (the reader gives every cell its own copy: a few 30,000-character strings used in every
    cell took 2.5 GB); inline text is bounded by the parts' size. Read without building either."""
    names = {m.filename.replace("\\", "/").lower(): m for m in members}
    shared = next((m for n, m in names.items() if n.endswith("sharedstrings.xml")), None)
    lengths: list[int] = []
    try:
        if shared is not None:
            for match in _streamed(archive, shared, SHARED_ITEM, 1 << 20):
                lengths.append(len(MARKUP.sub(b"", match.group(0))))
        total = 0
        for n, m in names.items():
            if "worksheets/" in n and n.endswith(".xml"):
                if not lengths:
                    break
                for match in _streamed(archive, m, SHARED_CELL, 4096):
                    index = int(match.group(1))
                    total += lengths[index] if index < len(lengths) else 0
                    if total > MAX_TEXT:
                        return total
        return total
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError, RuntimeError):
        return 0  # the reader says what is wrong with it


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
            counter = _RowCounter(f"Sheet “{name}”", max_rows)
            # one object for each repeated value ("Yes", a state, 0.0) instead of one per cell, while
            # calamine's own copy of the sheet is still held: a 20,000 x 140 sheet reads in half the memory
            strings: dict[str, str] = {}
            numbers: dict[float, float] = {}
            for row in sheet.iter_rows():
                cells = []
                for v in row:
                    kind = type(v)
                    if kind is float:
                        v = numbers.setdefault(v, v) if len(numbers) < _DISTINCT else v
                    elif kind is str:
                        v = _cell(v, name)
                        if v is not None and len(strings) < _DISTINCT:
                            v = strings.setdefault(v, v)
                    cells.append(v)
                counter.add(cells)
            del sheet  # calamine's copy of the cells, before the next sheet's
            sheets.append(Sheet(name, _trim(counter.rows)))
        notes = read_notes(data)
        for s in sheets:
            s.notes = notes.get(s.name, [])
        return sheets
    except UnreadableFile:
        raise
    except (CalamineError, ValueError, TypeError, OSError, zipfile.BadZipFile) as exc:
        raise UnreadableFile(f"“{filename}” could not be read as a workbook ({type(exc).__name__}). "
                             "Open it in Excel and save it again as .xlsx.", 422) from None


# -- comments ------------------------------------------------------------------------
# calamine reads no comments, so they are read from the package's parts: the workbook names its
# sheets' parts, each sheet's relationships name its comments part. The parts were checked by
# _check_zip (sizes, no DOCTYPE) before this reads them.

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_NOTES = 20_000
CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
THREADED = "[Threaded comment]"


def _part_path(base: str, target: str) -> str:
    """A relationship's target as a path in the zip (relative to its part's folder, or absolute)."""
    if target.startswith("/"):
        return target[1:]
    parts = base.rsplit("/", 1)[0].split("/") if "/" in base else []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, path of the target)."""
    folder, _, name = part.rpartition("/")
    path = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    try:
        root = ElementTree.fromstring(archive.read(path))
    except (KeyError, ElementTree.ParseError):
        return {}
    return {r.get("Id"): (r.get("Type") or "", _part_path(part, r.get("Target") or ""))
            for r in root.iter(f"{PKG_REL}Relationship") if r.get("TargetMode") != "External"}


def _note_text(text: str, author: str) -> str:
    """What the person wrote: without the "Author:" line Excel puts first in a note, and of a
    threaded comment (which Excel also writes as a note, for older versions) its comment only."""
    text = text.replace("\r\n", "\n").strip()
    if text.startswith(THREADED):
        text = text.split("Comment:", 1)[-1]
        text = text.split("\nReply:", 1)[0]
    elif author and text.startswith(f"{author}:"):
        text = text[len(author) + 1:]
    return "\n".join(line.strip() for line in text.strip().splitlines()).strip()


def read_notes(data: bytes) -> dict[str, list[list[Any]]]:
    """Each sheet's comments, by sheet name: [row, column, author, text] (0-based); a part that
    can't be read gives none (the cells still import)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        book = "xl/workbook.xml"
        for member in archive.namelist():
            if member.lower().endswith("workbook.xml") and "/" in member and "_rels" not in member:
                book = member
                break
        root = ElementTree.fromstring(archive.read(book))
        book_rels = _rels(archive, book)
        out: dict[str, list[list[Any]]] = {}
        count = 0
        for sheet in root.iter(f"{MAIN}sheet"):
            target = book_rels.get(sheet.get(f"{REL_NS}id"))
            if target is None:
                continue
            for kind, path in _rels(archive, target[1]).values():
                if not kind.endswith("/comments"):
                    continue
                notes = ElementTree.fromstring(archive.read(path))
                authors = [(a.text or "").strip() for a in notes.iter(f"{MAIN}author")]
                for comment in notes.iter(f"{MAIN}comment"):
                    ref = CELL_REF.fullmatch((comment.get("ref") or "").split(":")[0].replace("$", ""))
                    if ref is None:
                        continue
                    column = 0
                    for ch in ref.group(1):
                        column = column * 26 + ord(ch) - 64
                    try:
                        author = authors[int(comment.get("authorId") or 0)]
                    except (ValueError, IndexError):
                        author = ""
                    body = comment.find(f"{MAIN}text")
                    text = _note_text("".join(t.text or "" for t in body.iter(f"{MAIN}t")) if body is not None
                                      else "", author)
                    if text and count < MAX_NOTES:
                        text = text.translate(INVISIBLE)[:MAX_CELL_CHARS]
                        out.setdefault(sheet.get("name") or "", []).append(
                            [int(ref.group(2)) - 1, column - 1, author[:120] or None, text])
                        count += 1
        return out
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, OSError, RuntimeError):
        return {}


_DISTINCT = 200_000  # distinct values shared per sheet; past that, values are as distinct as the cells


def _cell(value: Any, sheet: str) -> Any:
    if value == "":
        return None
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            raise UnreadableFile(f"Sheet “{sheet}” has a cell of {len(value):,} characters, more than a "
                                 "spreadsheet cell holds.", 413)
        if not value.isascii():
            value = value.translate(INVISIBLE)
            if not value:
                return None
    return value


def _utf16(data: bytes) -> str | None:
    """The text of a UTF-16 file (Excel's "Unicode Text", a UTF-16 CSV): by its byte-order mark, or
    without one by the zero bytes of ASCII text falling on every other byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        head = data[:4096]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if len(head) < 4 or max(even, odd) < len(head) / 4 or min(even, odd) > len(head) / 20:
            return None
        encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        return data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError:
        return None


def _decode(data: bytes) -> str:
    text = _utf16(data) if b"\x00" in data[:4096] else None
    if text is not None:
        return text
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails: every byte is a character


def _read_csv(data: bytes, filename: str, max_rows: int) -> Sheet:
    text = _decode(data)
    if "\x00" in text[:4096]:
        raise UnreadableFile(f"“{filename}” is not a text (CSV) file.", 415)
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        delimiter = max(",;\t", key=first.count)
    csv.field_size_limit(MAX_CELL_CHARS + 1)
    counter = _RowCounter(f"“{filename}”", max_rows)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(row) > MAX_COLUMNS:
                raise UnreadableFile(f"“{filename}” has {len(row):,} columns; this tracker reads at most "
                                     f"{MAX_COLUMNS}.", 413)
            counter.add([_cell(v.strip() if isinstance(v, str) else v, "CSV") for v in row])
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UnreadableFile(f"“{filename}” has a cell of more than {MAX_CELL_CHARS:,} characters, more "
                                 "than a spreadsheet cell holds.", 413) from None
        raise UnreadableFile(f"“{filename}” is not a well-formed CSV file ({exc}).", 422) from None
    return Sheet(filename.rsplit("/", 1)[-1], _trim(counter.rows))


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
