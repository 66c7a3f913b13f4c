"""Which row of a sheet names its columns, and which catalogue field (or other target) each
header means: exact spellings from the catalogue, then fuzzy matches with a confidence.
Pure: no Flask, no database. A sheet here is anything with ``rows`` (tracker.importing.read.Sheet)."""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz, process

from .. import fields
from ..fields import _norm

# Targets besides the catalogue's fields.
PROGRAM_ID = "id"  # the hidden Tracker ID column of a workbook this tracker exported
VISA = "visa"  # one column naming the visas sponsored ("J-1; H-1B", "None") -> visa_j1 + visa_h1b
KEEP = "keep"  # not a field: kept in the program's notes as "Header: value"
IGNORE = ""
EXTRA_TARGETS = {VISA: "Visa sponsorship (J-1 and H-1B in one column)", KEEP: "Keep in notes", IGNORE: "Ignore",
                 PROGRAM_ID: "Tracker ID (matches the row to its program)"}
EXTRA_SPELLINGS = {
    VISA: ("visa sponsorship", "visa", "visas", "visas sponsored", "visa sponsored", "visa types",
           "visa status", "visa statuses accepted", "visa status accepted", "visas accepted",
           "visa statuses", "visa sponsorship offered", "sponsors visas", "visa sponsorship j1 h1b",
           # one column for both visas, as own lists head it ("J1 / H1B", "H-1B or J-1")
           "j1 h1b", "j 1 h 1b", "h1b j1", "h 1b j 1", "j1 or h1b", "j 1 or h 1b", "j1 and h1b",
           "j 1 and h 1b", "visa j1 h1b", "j1 h1b sponsorship", "j 1 h 1b sponsorship"),
}
# Headers that name a season or a date after a fixed start ("Accepting applications for 2026-2027").
PREFIXES = (
    ("accepting applications", "accepting_applications"),
    ("participates in eras", "eras_participation"),
    ("program participates in eras", "eras_participation"),
    ("interviews conducted", "interviews_last_year"),
    ("data last updated", "data_updated_on"),
    ("last updated", "data_updated_on"),
)
# Headers never mapped without the user: "Tier" is the tracker's CSV export of the computed tier, or an
# own list's "Tier 1/2/3"; read as the tier set by hand it would override every row's computed tier.
NOT_SUGGESTED = ("tier",)
FUZZY_MIN = 75  # below this a fuzzy header match is not suggested
# A header this short is matched only exactly: one letter is a quarter of "Tier", which fuzzily is "Ties".
SHORT_HEADER = 5
HEADER_SCAN_ROWS = 30


def _spellings() -> dict[str, str]:
    table: dict[str, str] = {}
    for f in fields.FIELDS:
        for spelling in (f.key, f.label, f.export_header, *f.spellings):
            table.setdefault(_norm(spelling), f.key)
    for target, spellings in EXTRA_SPELLINGS.items():
        for spelling in spellings:
            table.setdefault(_norm(spelling), target)
    for spelling in NOT_SUGGESTED:
        table.pop(spelling, None)
    return table


SPELLINGS = _spellings()
SPELLING_LIST = list(SPELLINGS)


def header_text(value: Any) -> str:
    return "" if value is None else re.sub(r"\s+", " ", str(value)).strip()


def match_header(text: str) -> tuple[str, int, str]:
    """(target, confidence 0-100, how) for one header. FREIDA's own names are read as their
    labels: "field_visa_status" as "visa status"."""
    norm = _norm(text)
    if norm.startswith("field ") and len(norm) > 6:
        norm = norm[6:]
    if not norm:
        return IGNORE, 0, "none"
    if norm in SPELLINGS:
        return SPELLINGS[norm], 100, "exact"
    for start, target in PREFIXES:
        if norm.startswith(start + " "):
            return target, 100, "exact"
    if len(norm) < SHORT_HEADER:
        return IGNORE, 0, "none"
    best = process.extractOne(norm, SPELLING_LIST, scorer=fuzz.token_sort_ratio)
    if best and best[1] >= FUZZY_MIN:
        return SPELLINGS[best[0]], int(best[1]), "fuzzy"
    return IGNORE, 0, "none"


def _header_score(row: list[Any]) -> float:
    score = 0.0
    for value in row:
        if isinstance(value, str) and value.strip():
            _, confidence, how = match_header(value)
            score += 1 if how == "exact" else 0.5 if how == "fuzzy" else 0
    return score


def find_header_row(sheet: Any) -> int:
    """Index of the row that names the columns: the one (of the first rows) most like the
    catalogue's headers; title rows and merged cells above it are skipped."""
    best, best_score = 0, -1.0
    for i, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        score = _header_score(row)
        if score > best_score:
            best, best_score = i, score
    if best_score < 2:  # nothing looks like our headers: the first row with several texts
        for i, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
            if sum(isinstance(v, str) and bool(v.strip()) for v in row) >= 2:
                return i
    return best


def pick_sheet(sheets: list[Any]) -> int:
    """The sheet that looks most like a program table (cover and notes sheets lose)."""
    def score(sheet: Any) -> tuple[float, int]:
        return _header_score(sheet.rows[find_header_row(sheet)]) if sheet.rows else 0, len(sheet.rows)

    return max(range(len(sheets)), key=lambda i: score(sheets[i]))
