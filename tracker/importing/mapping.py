"""Map a sheet to the catalogue: find the header row, match each column to a field (exact
spelling, then fuzzy with a confidence), and turn each row's cells into catalogue values.
Pure: no Flask, no database."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .. import fields, readings
from ..fields import FieldError, Kind, _norm
from .headers import EXTRA_TARGETS, IGNORE, KEEP, PROGRAM_ID, VISA, header_text, match_header
from .read import Sheet

BLANKS = {"", "n a", "na", "-", "--", "—", "?", "unknown", "not available", "not reported", "tbd",
          "not stated", "null", "none listed", "[]", "{}", "nan"}
NO_NUMBER = {"no limit", "none", "none stated", "no minimum", "not required", "no", "unlimited",
             "no requirement", "any", "not specified", "unspecified", "pass", "passed", "pass required",
             "pass only", "no cutoff"}


@dataclass
class Column:
    index: int
    header: str
    target: str = IGNORE
    confidence: int = 0
    how: str = "none"  # exact, fuzzy, remembered, chosen, none
    samples: list[str] = field(default_factory=list)
    exported: bool = False  # a column of a workbook this tracker exported
    tiers: dict[int, str] | None = None  # the computed Tier column of an export: its tiers by program id

    @property
    def target_label(self) -> str:
        if self.target in EXTRA_TARGETS:
            return EXTRA_TARGETS[self.target]
        return fields.get(self.target).label


def signature(headers: list[str]) -> str:
    """Identifies a layout of headers, to remember its mapping for the next file."""
    return hashlib.sha256("|".join(_norm(h) for h in headers).encode()).hexdigest()[:32]


def map_columns(sheet: Sheet, header_row: int, remembered: dict[str, str] | None = None) -> list[Column]:
    header = sheet.rows[header_row] if sheet.rows else []
    body = sheet.rows[header_row + 1:]
    columns = []
    for i, value in enumerate(header):
        text = header_text(value) or f"Column {i + 1}"
        if remembered is not None and str(i) in remembered:
            target, confidence, how = remembered[str(i)], 100, "remembered"
        else:
            target, confidence, how = match_header(text)
        samples = [str(r[i]) for r in body[:50] if i < len(r) and r[i] is not None][:3]
        columns.append(Column(i, text, target, confidence, how, samples))
    # one column per field: the most confident keeps it
    taken: dict[str, Column] = {}
    for column in sorted(columns, key=lambda c: -c.confidence):
        if column.target in (IGNORE, KEEP):
            continue
        if column.target in taken or (column.target in ("visa_j1", "visa_h1b") and VISA in taken) or (
            column.target == VISA and ({"visa_j1", "visa_h1b"} & taken.keys())
        ):
            column.target, column.confidence, column.how = IGNORE, 0, "none"
        else:
            taken[column.target] = column
    return columns


# -- values ----------------------------------------------------------------------

@dataclass(frozen=True)
class ExportInfo:
    """A workbook this tracker exported (its hidden sheet says so)."""

    export_id: str
    created: dt.datetime
    change_mark: int  # the last change-log entry when it was exported
    tiers: dict[int, str] = field(default_factory=dict, compare=False)  # program id -> tier shown then
    ids: tuple[int, ...] = field(default=(), compare=False)  # every program exported, in its order


def export_info(sheets: list[Sheet]) -> ExportInfo | None:
    from ..exporting import TRACKER_MARK, TRACKER_SHEET

    for sheet in sheets:
        if sheet.name == TRACKER_SHEET and sheet.rows and sheet.rows[0][:1] == [TRACKER_MARK]:
            try:
                export_id = str(sheet.rows[1][1])
                created = dt.datetime.fromisoformat(str(sheet.rows[2][1]))
                change_mark = int(sheet.rows[3][1])
            except (IndexError, ValueError, TypeError):
                return None
            tiers, ids = {}, []
            for row in sheet.rows[5:]:  # program id, version, tier
                if row and isinstance(row[0], (int, float)) and float(row[0]).is_integer():
                    ids.append(int(row[0]))
                    if len(row) > 2 and isinstance(row[2], str):
                        tiers[int(row[0])] = row[2]
            return ExportInfo(export_id, created, change_mark, tiers, tuple(ids))
    return None


def export_columns(sheet: Sheet, exported: ExportInfo | None = None) -> list[Column]:
    """The columns of an exported Programs sheet: by their exact export headers; the hidden id
    matches each row to its program. The Tier column (the tier the tracker showed) is read
    only to see whether the mentor changed it (against ``exported.tiers``)."""
    from ..exporting import ID_HEADER, TIER_HEADER

    by_header = {f.export_header: f.key for f in fields.FIELDS}
    columns = []
    for i, value in enumerate(sheet.rows[0] if sheet.rows else []):
        text = header_text(value)
        target = PROGRAM_ID if text == ID_HEADER else IGNORE if text == TIER_HEADER else by_header.get(text, IGNORE)
        column = Column(i, text or f"Column {i + 1}", target, 100 if target else 0, "exact" if target else "none",
                        exported=True)
        if text == TIER_HEADER:
            column.tiers = dict(exported.tiers) if exported else {}
        columns.append(column)
    return columns


@dataclass
class IncomingRow:
    line: int  # the row number in the file, as a spreadsheet shows it (1-based)
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # the row can't be imported
    skipped: dict[str, str] = field(default_factory=dict)  # cells left out; the rest imports
    kept: list[tuple[str, str]] = field(default_factory=list)  # (header, text) for notes
    program_id: int | None = None  # from an exported workbook's hidden id column
    blank: list[str] = field(default_factory=list)  # a returned export's empty cells (field keys)
    tier_seen: str | None = None  # a returned export's Tier cell, if the mentor changed it
    comments: list[list[Any]] = field(default_factory=list)  # the cells' notes: [field key or None, author, text]

    @property
    def name(self) -> str:
        return self.values.get("name") or ""


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, str) and _norm(value) in BLANKS


LISTED = re.compile(r"""^\s*[\[(]\s*(.*?)\s*[\])]\s*$""", re.S)  # ['H-1B', 'J-1 through ECFMG'], ("J-1",)
OTHER_VISAS = re.compile(r"\b(f ?1|o ?1|tn|e ?3|h ?1 ?b1|l ?1|ead|green card|permanent resident)\b")


def _visa(text: str) -> tuple[str, str] | None:
    """(J-1, H-1B) sponsored for one cell of a visa column: "J-1; H-1B", "both", "J1 only", "No",
    or a list as FREIDA's data carries it (['H-1B', 'J-1 through ECFMG']; a list naming other visas
    only, such as ['F-1'], states that neither is sponsored). An empty list is not stated: the
    caller reads it as blank."""
    listed = LISTED.match(text)
    if listed:
        items = [i.strip(" '\"") for i in re.split(r"[,;]", listed.group(1))]
        items = [i for i in items if i]
        if not items:
            return None
        text = "; ".join(items)
    t = _norm(text)
    if t in ("both", "j 1 and h 1b", "all", "yes both"):
        return "yes", "yes"
    if t in ("none", "no", "no visas", "no visa", "not sponsored", "no visa sponsorship", "0", "neither",
             "does not sponsor", "us citizens and green card holders only"):
        return "no", "no"
    has_j1 = re.search(r"\bj ?1\b", t) is not None
    has_h1b = re.search(r"\bh ?1 ?b\b", t) is not None
    if has_j1 or has_h1b:
        return ("yes" if has_j1 else "no"), ("yes" if has_h1b else "no")
    if listed or OTHER_VISAS.search(t):  # names the visas taken, and neither J-1 nor H-1B is among them
        return "no", "no"
    return None


NUMBER_IN_TEXT = re.compile(r"(?<![\w.,])[-\u2212\u2013]?\d[\d,.]*")


def _first_number(text: str) -> float | str | None:
    """The first number in ``text`` ("225+", "Within 3 years", "-3", "1,200"), read as the cell
    editor reads numbers (its sign kept, 5,5 a decimal comma); the number's own text when it
    can't be read alone (the field's parser then says why); None when there is none."""
    match = NUMBER_IN_TEXT.search(text)
    if not match:
        return None
    token = match.group(0).rstrip(".,")
    try:
        return readings.read_number(token)
    except readings.ReadingError:
        return token


def fraction_columns(sheet: Sheet, header_row: int, columns: list[Column]) -> set[int]:
    """Percent columns written as fractions (0.35 for 35%): every number in them is at most 1,
    or the column is a returned export's (which writes fractions in a % format)."""
    found = set()
    for column in columns:
        if column.target not in fields.BY_KEY or fields.get(column.target).kind is not Kind.PERCENT:
            continue
        if column.exported:
            found.add(column.index)
            continue
        cells = (_plain_number(r[column.index]) for r in sheet.rows[header_row + 1:] if column.index < len(r))
        numbers = [n for n in cells if n is not None]
        if numbers and all(0 <= n <= 1 for n in numbers):
            found.add(column.index)
    return found


def _plain_number(value: Any) -> float | None:
    """A number, or text that is only a number ("0.35", not "35%")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value):
        return float(value)
    return None


def _percent(value: float, fractions: bool) -> float:
    """One cell of a percent column. A number above 1 is a percent whatever its column (35 typed
    among fractions is 35%); up to 1 it is a fraction in a column of fractions and, elsewhere,
    when it has a fractional part (0.35 among percents is 35%: an IMG share of a third of one
    percent is no one's meaning); 0 and 1 among percents stay 0% and 1%."""
    if value > 1 or value < 0:
        return value
    if fractions or not float(value).is_integer():
        return round(value * 100, 1)
    return value


EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's date serial numbers (1900 system)
SERIAL_RANGE = (36526, 73051)  # 2000-01-01 to 2099-12-31: a residency season, not a count


def _from_serial(value: Any, kind: Kind) -> Any:
    """An Excel date serial number (45900, or 45900.5 for noon) as a date or datetime; any
    other value as it is."""
    if isinstance(value, str) and re.fullmatch(r"\d{5}(\.\d+)?", value.strip()):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if not SERIAL_RANGE[0] <= value < SERIAL_RANGE[1] + 1:
        return value
    moment = EXCEL_EPOCH + dt.timedelta(days=float(value))
    if kind is Kind.DATE:
        return moment.date()
    return (moment + dt.timedelta(seconds=30)).replace(second=0, microsecond=0)  # to the nearest minute


FORMULA_GUARD = re.compile(r"'(?=[=+\-@])")  # the ' an export puts before text a spreadsheet would run


def _prepare(f: fields.Field, value: Any, as_fraction: bool) -> Any:
    """What the catalogue's parser gets, after the spreadsheet's own habits are undone."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).strip()
        if value.startswith("'") and FORMULA_GUARD.match(value):
            value = value[1:]
    if f.kind is Kind.INT:
        if isinstance(value, str):
            if _norm(value) in NO_NUMBER:
                return None
            number = _first_number(value)
            return value if number is None else number
        return value
    if f.kind is Kind.PERCENT:
        number = _plain_number(value)
        return value if number is None else _percent(number, as_fraction)
    if f.kind in (Kind.DATE, Kind.DATETIME):
        return _from_serial(value, f.kind)
    if f.kind is Kind.TEXT and f.normalize is None and isinstance(value, float) and value.is_integer():
        return str(int(value))
    if f.kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.URL, Kind.EMAIL, Kind.CHOICE, Kind.TAGS) and not isinstance(
        value, str
    ):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (dt.date, dt.datetime)) and f.kind is not Kind.TEXT:
            return value
        return str(value)
    if f.key == "program_code" and isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


DONE = {"yes", "y", "x", "true", "sent", "done", "completed", "emailed", "mailed"}  # in a date column
NOT_DONE = {"no", "n", "false", "not yet", "not sent", "pending"}


def _yes_or_no(value: Any) -> str | None:
    """"yes" or "no" for a date column's cell that says whether, not when."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        text = _norm(value)
        return "yes" if text in DONE else "no" if text in NOT_DONE else None
    return None


def _digits(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer() and value >= 0:
        return str(int(value))
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    return None


def code_widths(sheet: Sheet, header_row: int, columns: list[Column]) -> dict[int, int]:
    """Code columns whose codes are digits of one length (ACGME's ten): by column, that length.
    Excel turned such codes into numbers and dropped a leading zero, so a code one digit short
    gets its zero back (0123456789 is not 123456789: re-importing would add a second program)."""
    widths = {}
    for column in columns:
        if column.target != "program_code":
            continue
        lengths: dict[int, int] = {}
        for r in sheet.rows[header_row + 1:]:
            digits = _digits(r[column.index]) if column.index < len(r) else None
            if digits:
                lengths[len(digits)] = lengths.get(len(digits), 0) + 1
        if lengths:
            width, count = max(lengths.items(), key=lambda item: item[1])
            if width >= 6 and count * 2 >= sum(lengths.values()):
                widths[column.index] = width
    return widths


URL_START = re.compile(r"(?:https?://|(?<!/)www\.)", re.I)


def _split_urls(text: str) -> tuple[str, str]:
    """A cell holding several web addresses: (the first, the rest as written)."""
    starts = [m.start() for m in URL_START.finditer(text)]
    if len(starts) < 2:
        return text, ""
    return text[:starts[1]].strip(" ,;|\n\t"), text[starts[1]:].strip()


# The track words NRMP's and FREIDA's specialty names carry ("Medicine-Preliminary", "Surgery-Preliminary",
# "Pediatrics-Primary", "Anesthesiology (Advanced)", "Internal Medicine - Reserved (Physician)")
TRACK_WORDS = re.compile(r"\b(categorical|preliminary|prelim|primary care|primary|advanced|reserved physician|"
                         r"physician reserved|reserved|physician|pgy 1|pgy 2)\b")


def _specialty(row: IncomingRow, header: str, value: Any) -> None:
    """One cell of a specialty column: the catalogue's specialty, with the track its name carries;
    a specialty the catalogue can't place is Other with the file's text beside it, never dropped."""
    text = re.sub(r"\s+", " ", str(value)).strip()
    specialty = fields.get("specialty")
    try:
        row.values["specialty"] = specialty.parse(text)
        return
    except FieldError:
        pass
    words = _norm(text)
    tracks = TRACK_WORDS.findall(words)
    rest = TRACK_WORDS.sub(" ", words).strip()
    if tracks and rest:
        try:
            row.values["specialty"] = specialty.parse(rest)
        except FieldError:
            pass
        else:
            track = fields.get("track").parse(tracks[0])
            row.values.setdefault("track", track)
            return
    row.values["specialty"] = "other"
    row.values["specialty_text"] = text[:fields.get("specialty_text").max_length]


def _from_code(row: IncomingRow) -> None:
    """The specialty and track an NRMP code or ACGME id names, where the file's own columns don't say."""
    code = row.values.get("program_code")
    if not code:
        return
    specialty, track = fields.specialty_from_code(code)
    if specialty and row.values.get("specialty") in (None, "other") and "specialty_text" not in row.values:
        row.values["specialty"] = specialty
    if track and "track" not in row.values:
        row.values["track"] = track


CELL_CACHE = 4_000  # distinct cells remembered per column (names and addresses don't repeat)


def _cell_outcome(header: str, f: fields.Field, value: Any, as_fraction: bool, width: int | None) -> tuple:
    """What one cell of a column mapped to the field ``f`` puts in its row, as (row attribute, key,
    value) triples: ("values", key, parsed), ("skipped" or "errors", key, message), or (None, None,
    (header, text)) for text kept in the notes. It depends on the cell and its column alone."""
    out: list[tuple[str | None, str | None, Any]] = []
    if width is not None:
        digits = _digits(value)
        if digits and len(digits) == width - 1:
            value = "0" + digits
    if f.kind is Kind.URL and isinstance(value, str):
        value, rest = _split_urls(value)
        if rest:
            out.append((None, None, (header, rest)))
    if f.kind in (Kind.DATE, Kind.DATETIME) and _yes_or_no(value) is not None:
        if _yes_or_no(value) == "yes":  # done, but when is not said: kept, never lost
            text = "Yes" if isinstance(value, bool) else str(value).strip()
            out.append((None, None, (header, text)))
            out.append(("skipped", f.key, f"{header}: “{text}” has no date, so it is kept in the notes; enter "
                                          f"the date in {f.label} when you know it."))
        return tuple(out)  # "No": not done yet, as an empty cell says
    try:
        parsed = f.parse(_prepare(f, value, as_fraction))
    except FieldError as exc:
        accepted = str(exc).split(": ", 1)[-1]
        out.append(("errors" if f.key == "name" else "skipped", f.key,
                    f"{header}: “{value}” left out. {accepted[:1].upper()}{accepted[1:]}"))
        return tuple(out)
    if not (parsed is None or parsed == [] or (f.kind is Kind.TRI and parsed == "unknown")):
        out.append(("values", f.key, parsed))
    return tuple(out)


def convert_rows(sheet: Sheet, header_row: int, columns: list[Column]) -> list[IncomingRow]:
    fractions = fraction_columns(sheet, header_row, columns)
    widths = code_widths(sheet, header_row, columns)
    active = [c for c in columns if c.target != IGNORE]
    tier_column = next((c for c in columns if c.tiers is not None), None)
    notes: dict[int, list[list[Any]]] = {}
    by_index = {c.index: c for c in columns}
    for r, c, author, text in sheet.notes:
        if r > header_row:
            column = by_index.get(c)
            target = column.target if column is not None else None
            key = "tier_override" if column is not None and column.tiers is not None else (
                target if target in fields.BY_KEY and target != "name" else None)
            notes.setdefault(r, []).append([key, author, text])
    exported = any(c.exported for c in columns)
    # what each distinct cell of a column puts in its row, worked out once: a list's specialties,
    # states, types, visas and limits repeat over its 13,000 rows
    cells: dict[int, dict[tuple[type, Any], tuple]] = {c.index: {} for c in active}
    rows = []
    for offset, raw in enumerate(sheet.rows[header_row + 1:]):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
            continue
        row = IncomingRow(line=header_row + 2 + offset, comments=notes.get(header_row + 1 + offset, []))
        for column in active:
            value = raw[column.index] if column.index < len(raw) else None
            if _is_blank(value):
                if column.exported and column.target in fields.BY_KEY:
                    row.blank.append(column.target)
                continue
            if column.target == KEEP:
                row.kept.append((column.header, str(value).strip()))
            elif column.target == PROGRAM_ID:
                if isinstance(value, (int, float)) and float(value).is_integer():
                    row.program_id = int(value)
            elif column.target == VISA:
                pair = _visa(str(value))
                if pair is None:
                    row.skipped[VISA] = (f"{column.header}: “{value}” is not a visa answer; write J-1, H-1B, "
                                         "both or none.")
                else:
                    row.values["visa_j1"], row.values["visa_h1b"] = pair
            elif column.target == "specialty":
                _specialty(row, column.header, value)
            else:
                cache = cells[column.index]
                key = (type(value), value)  # 1, 1.0 and True are one key of a dict, not one cell
                outcome = cache.get(key)
                if outcome is None:
                    outcome = _cell_outcome(column.header, fields.get(column.target), value,
                                            column.index in fractions, widths.get(column.index))
                    if len(cache) < CELL_CACHE:
                        cache[key] = outcome
                for where, name, what in outcome:
                    if where is None:
                        row.kept.append(what)
                    else:  # a list (tags) is the row's own
                        getattr(row, where)[name] = list(what) if isinstance(what, list) else what
        if not exported:  # a returned export says what the tracker held: nothing is read into it
            _from_code(row)
        if tier_column is not None:
            _read_tier(row, raw, tier_column)
        if "name" not in row.values and "name" not in row.errors:
            row.errors["name"] = "No program name in this row."
        rows.append(row)
    return rows


def _read_tier(row: IncomingRow, raw: list[Any], column: Column) -> None:
    """A returned export's Tier cell, kept only if the mentor changed it from the tier exported."""
    value = raw[column.index] if column.index < len(raw) else None
    if _is_blank(value) or row.program_id is None:
        return
    try:
        tier = fields.get("tier_override").parse(str(value))
    except FieldError as exc:
        accepted = str(exc).split(": ", 1)[-1]
        row.skipped["tier"] = f"{column.header}: “{value}” left out. {accepted[:1].upper()}{accepted[1:]}"
        return
    if tier != column.tiers.get(row.program_id):
        row.tier_seen = tier
