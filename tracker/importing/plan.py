"""The plan of an import: what each incoming row would do to the stored programs. Pure.

Matching: by program code when the row has one, else by normalised name + state. A close
but different name is only offered as "possibly the same program", never merged. A blank
incoming cell never overwrites; a cell the user set in the tracker (not by an import) that
the file would change is a conflict, kept as it is unless the user picks the file's value.

A returned export (rows matched by their hidden id) also says what the mentor did to a cell
that is not a value: a Tier changed from the one exported becomes the tier set by hand; a
cell emptied is shown as a note and not applied.

Rows of one file that are the same program (one program code, or without a code the same
name, city and state, or both matching one stored program) are planned as one row, a
``Repeat``: by default the earliest row's values with the later rows' filling its blanks
("merge"), or one of the rows alone as the user chooses. Two of them never reach apply."""

from __future__ import annotations

import datetime as dt

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from .. import fields
from ..tiering import effective_tier
from .mapping import IncomingRow

POSSIBLY_SAME_MIN = 90  # name similarity (0-100) for "possibly the same program" in the same city and state
NEARLY_IDENTICAL = 97  # in the same state but another city, the names must be nearly identical
_CELLS = 2_000_000  # names compared at a time (new rows x a state's stored names): a few 8 MB matrices

KINDS = ("new", "changed", "conflict", "unchanged", "invalid")
MERGE = "merge"  # a repeated program's default: the earliest row, the later ones filling its blanks
EMPTY = fields.defaults()  # a stored default ("unknown", "researching") is no one's choice yet
ORDER = {f.key: i for i, f in enumerate(fields.FIELDS)}


NOT_NAME = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)  # each stored name is looked up by several indexes, on every preview
def normalise_name(name: str) -> str:
    text = name or ""
    if not text.isascii():  # accents off (José is Jose); plain ASCII needs none of this
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return NOT_NAME.sub(" ", text.casefold()).strip()


@dataclass
class Existing:
    """A stored program as the planner sees it."""

    id: int
    values: dict[str, Any]  # catalogue key -> stored value
    user_fields: set[str] = field(default_factory=set)  # last set by a person, not an import
    version: int = 1
    deleted: bool = False
    undone: bool = False  # deleted by undoing the import that added it: a re-import brings it back
    tier: str | None = None  # the computed tier
    comments: set[tuple[str | None, str]] = field(default_factory=set)  # (field, text) of the mentor comments kept

    @property
    def effective_tier(self) -> str | None:
        return effective_tier({"tier_override": self.values.get("tier_override"), "tier": self.tier})

    @property
    def name(self) -> str:
        return self.values.get("name") or ""


@dataclass
class CellChange:
    key: str
    old: Any
    new: Any
    conflict: bool = False

    @property
    def label(self) -> str:
        return fields.get(self.key).label

    def shown(self, value: Any) -> str:
        return fields.get(self.key).display(value) or "(empty)"


@dataclass
class NewComment:
    """A mentor's comment (an Excel cell note) on a row of the file: on a field, or on the program
    (``key`` None)."""

    key: str | None
    author: str | None
    text: str

    @property
    def label(self) -> str:
        return fields.get(self.key).label if self.key else "The program"


@dataclass
class Removed:
    """A program of the export that the mentor's copy no longer has: kept unless the user chooses."""

    id: int
    name: str


@dataclass
class Repeat:
    """Rows of one file that are the same program, and which of them is imported: ``choice`` is
    MERGE or the line of the one row chosen."""

    rows: list[IncomingRow]
    why: str  # what makes them one program, for the preview
    choice: str = MERGE

    @property
    def line(self) -> int:
        return self.rows[0].line

    @property
    def lines(self) -> list[int]:
        return [r.line for r in self.rows]

    def chosen(self) -> IncomingRow:
        """The row imported: the one chosen, or all of them merged."""
        for row in self.rows:
            if self.choice == str(row.line):
                return IncomingRow(self.line, dict(row.values), dict(row.errors), dict(row.skipped),
                                   list(row.kept), row.program_id, list(row.blank), row.tier_seen,
                                   [c for r in self.rows for c in r.comments])
        return merge_rows(self.rows)

    def differing(self) -> list[tuple[str, list[str]]]:
        """(field label, each row's value shown) for the fields on which the rows differ."""
        keys = sorted({k for r in self.rows for k in r.values}, key=lambda k: ORDER.get(k, 0))
        out = []
        for key in keys:
            values = [r.values.get(key) for r in self.rows]
            if any(v != values[0] for v in values[1:]):
                f = fields.get(key)
                out.append((f.label, [f.display(v) if v is not None else "(empty)" for v in values]))
        return out


def merge_rows(rows: list[IncomingRow]) -> IncomingRow:
    """One row from ``rows`` (in file order): the first row's values, each later row filling
    the blanks left; what was kept for the notes and the cells left out, from all of them."""
    first = rows[0]
    merged = IncomingRow(first.line, dict(first.values), {}, dict(first.skipped), list(first.kept),
                         first.program_id, list(first.blank), first.tier_seen, list(first.comments))
    for row in rows[1:]:
        for key, value in row.values.items():
            merged.values.setdefault(key, value)
        for key, message in row.skipped.items():
            if key not in merged.values:
                merged.skipped.setdefault(key, message)
        merged.kept += [k for k in row.kept if k not in merged.kept]
        if merged.program_id is None:
            merged.program_id = row.program_id
        merged.tier_seen = merged.tier_seen or row.tier_seen
        merged.comments += [c for c in row.comments if c not in merged.comments]
    merged.blank = [k for k in merged.blank if all(k in r.blank for r in rows) and k not in merged.values]
    return merged


@dataclass
class PlannedRow:
    line: int
    kind: str
    incoming: IncomingRow
    program_id: int | None = None
    changes: list[CellChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    possibly_same: tuple[int, str, int] | None = None  # (program id, name, similarity)
    notes: list[str] = field(default_factory=list)  # what the file says that is not applied
    repeat: Repeat | None = None  # the other rows of the file that are this program
    restore: bool = False  # a new row that brings back the program an undone import added (program_id)
    comments: list[NewComment] = field(default_factory=list)  # the mentor's comments not yet kept

    @property
    def name(self) -> str:
        return self.incoming.name

    @property
    def messages(self) -> list[str]:
        """Cells left out, and what is not applied, for the preview."""
        return [*self.incoming.skipped.values(), *self.notes]

    @property
    def conflicts(self) -> list[CellChange]:
        return [c for c in self.changes if c.conflict]


@dataclass
class Plan:
    rows: list[PlannedRow]
    removed: list[Removed] = field(default_factory=list)  # a returned export's rows the mentor deleted

    @property
    def repeats(self) -> list[Repeat]:
        return [r.repeat for r in self.rows if r.repeat is not None]

    @property
    def applicable(self) -> bool:
        """Whether applying would change anything (new, changed or conflicting rows, comments to
        keep, or programs the mentor removed that the user may delete)."""
        return bool(self.removed) or any(r.kind in ("new", "changed", "conflict") or r.comments
                                         for r in self.rows if r.kind != "invalid")

    @property
    def commented(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.comments and r.kind != "invalid"]

    def counts(self) -> dict[str, int]:
        counts = {kind: 0 for kind in KINDS}
        for row in self.rows:
            counts[row.kind] += 1
        return counts

    def of_kind(self, kind: str) -> list[PlannedRow]:
        return [r for r in self.rows if r.kind == kind]

    def by_line(self) -> dict[int, PlannedRow]:
        return {r.line: r for r in self.rows}


def _notes_with(kept: list[tuple[str, str]], notes: str | None) -> str | None:
    """Notes with the file's kept columns added (once: a re-import adds nothing)."""
    lines = [f"{header}: {text}" for header, text in kept]
    current = notes or ""
    missing = [line for line in lines if line not in current]
    if not missing:
        return None
    return "\n".join(filter(None, [current, *missing]))


def _place(row: IncomingRow) -> tuple[str, str, str]:
    return (normalise_name(row.name), normalise_name(row.values.get("city") or ""), row.values.get("state") or "")


class _Matcher:
    """Finds the stored program a row is: by hidden id, by code, else by name and state."""

    def __init__(self, existing: list[Existing]):
        self.by_id = {p.id: p for p in existing}
        self.by_code = {p.values.get("program_code"): p for p in existing if p.values.get("program_code")}
        self.by_name_state = {(normalise_name(p.name), p.values.get("state")): p for p in existing}

    def find(self, row: IncomingRow) -> tuple[Existing | None, str]:
        """(the stored program, how: "id", "code" or "name")."""
        code = row.values.get("program_code")
        if row.program_id is not None and row.program_id in self.by_id:  # a returned export
            return self.by_id[row.program_id], "id"
        if code and code in self.by_code:
            return self.by_code[code], "code"
        candidate = self.by_name_state.get((normalise_name(row.name), row.values.get("state")))
        # a different stored code means a different program, whatever the name
        if candidate and not (code and candidate.values.get("program_code")):
            return candidate, "name"
        return None, ""


@dataclass
class _Group:
    rows: list[IncomingRow]
    target: Existing | None
    how: str
    codes: set[str]
    why: str = ""


def group_rows(rows: list[IncomingRow], matcher: _Matcher) -> list[_Group]:
    """The valid rows in groups that are one program each (in the order of their first row): one
    code; without a code, one name, city and state; or one stored program they match (unless
    their codes differ: then the later row is a program of its own, not that stored one)."""
    groups: list[_Group] = []
    by_key: dict[tuple, _Group] = {}
    for row in rows:
        code = row.values.get("program_code")
        target, how = matcher.find(row)
        keys = [("code", code)] if code else [("place", *_place(row))]
        if target is not None:
            keys.append(("target", target.id))
        group = None
        for key in keys:
            found = by_key.get(key)
            if found is not None and (not code or not found.codes or code in found.codes):
                group = found
                why = (f"Same program code {code}" if key[0] == "code" else
                       "Same name, city and state" if key[0] == "place" else
                       f"Both match “{target.name}” in the tracker")
                group.why = group.why or why
                break
        if group is None:
            if target is not None and ("target", target.id) in by_key and how == "name":
                target, how = None, ""  # that stored program is another row's, with another code
            group = _Group([], target, how, set())
            groups.append(group)
        group.rows.append(row)
        if code:
            group.codes.add(code)
        if group.target is None and target is not None:
            group.target, group.how = target, how
        for key in keys:
            by_key.setdefault(key, group)
    return groups


def make_plan(incoming: list[IncomingRow], existing: list[Existing],
              choices: dict[int, str] | None = None, exported_ids: list[int] | None = None) -> Plan:
    """What ``incoming`` would do to ``existing``; ``choices`` says, by a repeated program's first
    line, which of its rows is imported (MERGE, the default, or a line). ``exported_ids`` (a
    returned export's programs) tells the rows the mentor deleted: listed, never deleted here."""
    matcher = _Matcher(existing)
    planned_by_line: dict[int, PlannedRow] = {}
    line_of: dict[int, int] = {}  # stored program id -> the line planned on it
    valid = []
    unmatched: list[PlannedRow] = []  # new rows: each may still be a stored program under another name
    for row in incoming:
        if row.errors:
            planned_by_line[row.line] = PlannedRow(row.line, "invalid", row, errors=list(row.errors.values()))
        else:
            valid.append(row)
    for group in group_rows(valid, matcher):
        repeat = None
        row = group.rows[0]
        if len(group.rows) > 1:
            repeat = Repeat(group.rows, group.why or "The same program",
                            (choices or {}).get(group.rows[0].line, MERGE))
            row = repeat.chosen()
        target = group.target
        if target is not None and target.id in line_of:
            planned = PlannedRow(row.line, "invalid", row, errors=[
                f"Same program as row {line_of[target.id]} of this file, but with another program code."])
        elif target is not None and target.deleted and target.undone:
            planned = PlannedRow(row.line, "new", row, program_id=target.id, restore=True,
                                 changes=[CellChange(k, None, v) for k, v in row.values.items()])
            if row.kept:
                planned.changes = [c for c in planned.changes if c.key != "notes"]
                planned.changes.append(CellChange("notes", None, _notes_with(row.kept, row.values.get("notes"))))
        elif target is not None and target.deleted:
            planned = PlannedRow(row.line, "invalid", row, program_id=target.id, errors=[
                f"Matches “{target.name}”, which was deleted: restore it from the Deleted page to update it."])
        elif target is not None:
            planned = _compare(row, target)
        else:
            planned = PlannedRow(row.line, "new", row, changes=[CellChange(k, None, v) for k, v in row.values.items()])
            if row.kept:
                notes = _notes_with(row.kept, row.values.get("notes"))
                planned.changes = [c for c in planned.changes if c.key != "notes"]
                planned.changes.append(CellChange("notes", None, notes))
            unmatched.append(planned)
        planned.repeat = repeat
        if target is not None:
            line_of.setdefault(target.id, planned.line)
        _check_values(planned)
        _new_comments(planned, row, target)
        planned_by_line[planned.line] = planned
    for planned, same in zip(unmatched, _possibly_same(unmatched, existing, matcher)):
        planned.possibly_same = same
    return Plan([planned_by_line[line] for line in sorted(planned_by_line)],
                _removed(incoming, matcher, exported_ids))


def _new_comments(planned: PlannedRow, row: IncomingRow, target: Existing | None) -> None:
    """The row's comments the program does not hold yet (a file imported twice adds them once)."""
    kept = set(target.comments) if target is not None else set()
    for key, author, text in row.comments:
        if (key, text) not in kept:
            kept.add((key, text))
            planned.comments.append(NewComment(key, author, text))


def _removed(incoming: list[IncomingRow], matcher: _Matcher, exported_ids: list[int] | None) -> list[Removed]:
    if not exported_ids:
        return []
    present = {r.program_id for r in incoming if r.program_id is not None}
    out = []
    for pid in exported_ids:
        program = matcher.by_id.get(pid)
        if pid not in present and program is not None and not program.deleted:
            out.append(Removed(pid, program.name))
    return out


def _sorted_words(name: str) -> str:
    return " ".join(sorted(name.split()))


def _possibly_same(rows: list[PlannedRow], existing: list[Existing],
                   matcher: _Matcher) -> list[tuple[int, str, int] | None]:
    """For each new row, the stored program it may be: a close name in its state and city, a
    nearly identical one elsewhere in its state, or the same name in another state. Another
    city with a merely close name is not enough (10 of 40 rows of an own list were flagged so).

    Names are compared only within a state, all the new rows of a state against all its stored
    names in one call (rapidfuzz's cdist, in C++ on every core; the words sorted once for each
    name, so fuzz.ratio is token_sort_ratio), a block of rows at a time so that the matrix
    stays small when a file has no states at all."""
    out: list[tuple[int, str, int] | None] = [None] * len(rows)
    if not rows or not existing:
        return out
    import numpy as np  # here, not at import: 18 MB the server holds only once a preview has needed it
    stored_by_state: dict[str | None, list[Existing]] = {}
    same_names: dict[str, int] = {}  # the same name in any state
    for p in existing:
        stored_by_state.setdefault(p.values.get("state"), []).append(p)
        same_names.setdefault(normalise_name(p.name), p.id)
    wanted: dict[str | None, list[int]] = {}
    for i, planned in enumerate(rows):
        wanted.setdefault(planned.incoming.values.get("state"), []).append(i)
    for state, indexes in wanted.items():
        stored = stored_by_state.get(state)
        if not stored:
            continue
        choices = [_sorted_words(normalise_name(p.name)) for p in stored]
        cities = [normalise_name(p.values.get("city") or "") for p in stored]
        position = np.arange(len(stored), dtype=np.float64)
        size = max(1, _CELLS // len(stored))
        for start in range(0, len(indexes), size):
            block = indexes[start:start + size]
            queries = [_sorted_words(normalise_name(rows[i].name)) for i in block]
            scores = process.cdist(queries, choices, scorer=fuzz.ratio, score_cutoff=POSSIBLY_SAME_MIN,
                                   dtype=np.float32, workers=-1)
            # each row's five best, the best first and the earliest stored first among equals (the
            # order process.extract gives); a similar name can be one of thousands in a big state
            key = scores.astype(np.float64) * 1_048_576.0 - position
            k = min(5, len(stored))
            top = np.argpartition(-key, k - 1, axis=1)[:, :k]
            top = np.take_along_axis(top, np.argsort(-np.take_along_axis(key, top, 1), axis=1), 1)
            best = np.take_along_axis(scores, top, 1)
            for r in np.flatnonzero(best[:, 0]):
                i = block[r]
                city = normalise_name(rows[i].incoming.values.get("city") or "")
                for j, score in zip(top[r].tolist(), best[r].tolist()):
                    if score and (score >= NEARLY_IDENTICAL or cities[j] == city):
                        out[i] = (stored[j].id, stored[j].name, int(score))
                        break
    for i, planned in enumerate(rows):
        if out[i] is None and (name := normalise_name(planned.name)) in same_names:
            other = matcher.by_id[same_names[name]]
            out[i] = (other.id, other.name, 100)
    return out


def _check_values(planned: PlannedRow) -> None:
    """Leave out (with a message) a value the catalogue would refuse at apply: notes grown past
    their limit by the columns kept in them."""
    for change in list(planned.changes):
        if change.key == "notes" and change.new is not None:
            try:
                fields.get("notes").parse(change.new)
            except fields.FieldError as exc:
                planned.changes.remove(change)
                planned.incoming.skipped["notes"] = f"{exc} The columns kept in the notes are left out."
    if planned.kind in ("changed", "conflict") and not planned.changes:
        planned.kind = "unchanged"
    elif planned.kind == "conflict" and not planned.conflicts:
        planned.kind = "changed"


def _is_empty(key: str, value: Any) -> bool:
    return value is None or value == [] or value == "" or (key in EMPTY and value == EMPTY[key])


def _compare(row: IncomingRow, target: Existing) -> PlannedRow:
    changes = []
    values = dict(row.values)
    if row.kept:
        notes = _notes_with(row.kept, target.values.get("notes"))
        if notes is not None:
            values["notes"] = notes
    by_hand = values.get("tier_override")
    if row.tier_seen and row.tier_seen != target.effective_tier and (
        by_hand is None or by_hand == target.values.get("tier_override")
    ):  # the mentor changed the Tier column (and not the one set by hand): that is setting it by hand
        values["tier_override"] = row.tier_seen
    # a file whose own data is older than the data the program holds (FREIDA's last-updated date): its
    # values do not silently replace the newer ones, they are conflicts as hand edits are
    theirs, ours = values.get("data_updated_on"), target.values.get("data_updated_on")
    stale = isinstance(theirs, dt.date) and isinstance(ours, dt.date) and theirs < ours
    for key, new in values.items():
        old = target.values.get(key)
        if old == new or (key == "name" and normalise_name(old) == normalise_name(new)):
            continue  # the same name spelt in other case or spacing is not a change
        conflict = not _is_empty(key, old) and (key in target.user_fields or stale)
        changes.append(CellChange(key, old, new, conflict))
    kind = "conflict" if any(c.conflict for c in changes) else "changed" if changes else "unchanged"
    planned = PlannedRow(row.line, kind, row, program_id=target.id, changes=changes)
    if stale and changes:
        planned.notes.append(f"This file's data was last updated {theirs.isoformat()}, before the data the tracker "
                             f"holds ({ours.isoformat()}): its values are kept as they are unless you tick "
                             "“Use the file's value”.")
    for key in sorted(set(row.blank), key=ORDER.get):
        old = target.values.get(key)
        if row.program_id == target.id and not _is_empty(key, old) and key not in target.user_fields:
            f = fields.get(key)
            planned.notes.append(f"{f.label}: cleared by the mentor, not applied (the tracker keeps "
                                 f"“{f.display(old)}”; a blank cell never erases).")
    return planned
