"""The plan of an import: what each incoming row would do to the stored programs. Pure.

Matching: by program code when the row has one, else by normalised name + state. A close
but different name is only offered as "possibly the same program", never merged. A blank
incoming cell never overwrites; a cell the user set in the tracker (not by an import) that
the file would change is a conflict, kept as it is unless the user picks the file's value.

A returned export (rows matched by their hidden id) also says what the mentor did to a cell
that is not a value: a Tier changed from the one exported becomes the tier set by hand; a
cell emptied is shown as a note and not applied."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from .. import fields
from ..tiering import effective_tier
from .mapping import IncomingRow

POSSIBLY_SAME_MIN = 90  # name similarity (0-100) for "possibly the same program"

KINDS = ("new", "changed", "conflict", "unchanged", "invalid")
EMPTY = fields.defaults()  # a stored default ("unknown", "researching") is no one's choice yet
ORDER = {f.key: i for i, f in enumerate(fields.FIELDS)}


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@dataclass
class Existing:
    """A stored program as the planner sees it."""

    id: int
    values: dict[str, Any]  # catalogue key -> stored value
    user_fields: set[str] = field(default_factory=set)  # last set by a person, not an import
    version: int = 1
    deleted: bool = False
    tier: str | None = None  # the computed tier

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
class PlannedRow:
    line: int
    kind: str
    incoming: IncomingRow
    program_id: int | None = None
    changes: list[CellChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    possibly_same: tuple[int, str, int] | None = None  # (program id, name, similarity)
    notes: list[str] = field(default_factory=list)  # what the file says that is not applied

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


def make_plan(incoming: list[IncomingRow], existing: list[Existing]) -> Plan:
    by_id = {p.id: p for p in existing}
    by_code = {p.values.get("program_code"): p for p in existing if p.values.get("program_code")}
    by_name_state = {(normalise_name(p.name), p.values.get("state")): p for p in existing}
    names = {p.id: normalise_name(p.name) for p in existing}
    matched_lines: dict[int, int] = {}  # program id -> first line matched
    rows = []
    for row in incoming:
        if row.errors:
            rows.append(PlannedRow(row.line, "invalid", row, errors=list(row.errors.values())))
            continue
        code = row.values.get("program_code")
        target = by_id.get(row.program_id) if row.program_id is not None else None  # a returned export
        if target is None:
            target = by_code.get(code) if code else None
        if target is None and not (code and code in by_code):
            candidate = by_name_state.get((normalise_name(row.name), row.values.get("state")))
            # a different stored code means a different program, whatever the name
            if candidate and not (code and candidate.values.get("program_code")):
                target = candidate
        if target is not None:
            if target.deleted:
                rows.append(PlannedRow(row.line, "invalid", row, program_id=target.id, errors=[
                    f"Matches “{target.name}”, which was deleted: restore it from the Deleted page to update it."]))
                continue
            if target.id in matched_lines:
                rows.append(PlannedRow(row.line, "invalid", row, errors=[
                    f"Same program as row {matched_lines[target.id]} of this file."]))
                continue
            matched_lines[target.id] = row.line
            rows.append(_compare(row, target))
            continue
        planned = PlannedRow(row.line, "new", row, changes=[
            CellChange(k, None, v) for k, v in row.values.items()])
        if row.kept:
            planned.changes.append(CellChange("notes", None, _notes_with(row.kept, row.values.get("notes"))))
        if names:
            best = process.extractOne(normalise_name(row.name), names, scorer=fuzz.token_sort_ratio)
            if best and best[1] >= POSSIBLY_SAME_MIN:
                other = next(p for p in existing if p.id == best[2])
                planned.possibly_same = (other.id, other.name, int(best[1]))
        rows.append(planned)
    return Plan(rows)


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
    for key, new in values.items():
        old = target.values.get(key)
        if old == new or (key == "name" and normalise_name(old) == normalise_name(new)):
            continue  # the same name spelt in other case or spacing is not a change
        conflict = not _is_empty(key, old) and key in target.user_fields
        changes.append(CellChange(key, old, new, conflict))
    kind = "conflict" if any(c.conflict for c in changes) else "changed" if changes else "unchanged"
    planned = PlannedRow(row.line, kind, row, program_id=target.id, changes=changes)
    for key in sorted(set(row.blank), key=ORDER.get):
        old = target.values.get(key)
        if row.program_id == target.id and not _is_empty(key, old) and key not in target.user_fields:
            f = fields.get(key)
            planned.notes.append(f"{f.label}: cleared by the mentor, not applied (the tracker keeps "
                                 f"“{f.display(old)}”; a blank cell never erases).")
    return planned
