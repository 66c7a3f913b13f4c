"""Writing a range of grid cells at once: a paste, a clear (Delete), a fill down (Ctrl+D).

Every value goes through the catalogue as a cell edit does. The accepted ones are written as
one change batch (one Ctrl+Z takes the whole range back); a refused value keeps the cell's
old value and its message; a row changed elsewhere since the page loaded keeps all its values
(its version is checked, as for one cell). Rows past the last one shown can be added as new
programs in the same batch.

No Flask here: the caller opens a write transaction (tracker.db.write_transaction) and commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import fields
from .changes import ValidationFailed, create_program, new_batch_id, update_program
from .db import db
from .models import Program
from .store import inputs

MAX_CELLS = 20_000  # a pasted block larger than this is refused whole (a whole sheet, by mistake)
MAX_NEW_ROWS = 1_000
MAX_VALUE = 20_000  # characters in one pasted value


class RangeRefused(ValueError):
    """The request as a whole can't be taken (too large, malformed); nothing was written."""


@dataclass
class RangeResult:
    written: list[Program] = field(default_factory=list)  # programs with at least one value changed
    touched: list[Program] = field(default_factory=list)  # every live program the range named
    notes: dict[int, dict[str, str]] = field(default_factory=dict)  # program id -> field -> message
    created: list[Program] = field(default_factory=list)
    cells_changed: int = 0
    cells_same: int = 0
    refused: int = 0
    rows_refused: list[str] = field(default_factory=list)  # why a new row was not added

    def note(self, program_id: int, key: str, message: str) -> None:
        self.notes.setdefault(program_id, {})[key] = message
        self.refused += 1


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if len(text) > MAX_VALUE:
        raise RangeRefused(f"A pasted value is longer than {MAX_VALUE:,} characters.")
    return text


def read_cells(cells: Any) -> list[tuple[int, str, str]]:
    """The request's cells as (program id, field key, text), refusing what isn't that shape."""
    if not isinstance(cells, list):
        raise RangeRefused("The cells to write are missing.")
    if len(cells) > MAX_CELLS:
        raise RangeRefused(f"That is {len(cells):,} cells; paste at most {MAX_CELLS:,} at once.")
    out = []
    for item in cells:
        if not isinstance(item, Mapping) or not isinstance(item.get("f"), str):
            raise RangeRefused("The cells to write are not readable; reload the page and try again.")
        try:
            program_id = int(item.get("id"))
        except (TypeError, ValueError):
            raise RangeRefused("The cells to write are not readable; reload the page and try again.") from None
        out.append((program_id, item["f"], _text(item.get("value"))))
    return out


def write_cells(cells: Iterable[tuple[int, str, str]], versions: Mapping[str, Any], visible: set[str],
                new_rows: Iterable[Mapping[str, Any]] = (), *, season_id: int) -> RangeResult:
    """Write ``cells`` of the current season's live programs, each row at the version the page
    showed (``versions``: program id -> version); only ``visible`` columns are written."""
    result = RangeResult()
    by_program: dict[int, list[tuple[str, str]]] = {}
    for program_id, key, text in cells:
        by_program.setdefault(program_id, []).append((key, text))
    batch = new_batch_id()
    given = inputs()
    programs = {p.id: p for p in db.session.scalars(
        db.select(Program).where(Program.id.in_(list(by_program)), Program.season_id == season_id,
                                 Program.deleted_at.is_(None)))}
    for program_id, items in by_program.items():
        program = programs.get(program_id)
        if program is None:
            result.refused += len(items)
            continue
        result.touched.append(program)
        try:
            expected = int(versions.get(str(program_id)))
        except (TypeError, ValueError):
            expected = None
        if expected != program.version:
            for key, _ in items:
                stored = fields.BY_KEY[key].display(getattr(program, key)) if key in fields.BY_KEY else ""
                result.note(program_id, key, "Changed elsewhere since this page loaded"
                            + (f" (now “{stored}”)" if stored else "") + "; not written.")
            continue
        accepted: dict[str, Any] = {}
        for key, text in items:
            f = fields.BY_KEY.get(key)
            if f is None or key not in visible:
                result.refused += 1
                continue
            try:
                f.parse(text)
            except fields.FieldError as exc:
                result.note(program_id, key, str(exc))
                continue
            accepted[key] = text  # tags read "a, b" themselves
        while accepted:
            try:
                changes = update_program(program, accepted, source="edit", batch_id=batch, tiering=given)
            except ValidationFailed as exc:  # a check across values (a program code already taken)
                for key, message in exc.errors.items():
                    result.note(program_id, key, message)
                    accepted.pop(key, None)
                continue
            result.cells_changed += len(changes)
            result.cells_same += len(accepted) - len(changes)
            if changes:
                result.written.append(program)
            break
    rows = list(new_rows)
    if len(rows) > MAX_NEW_ROWS:
        raise RangeRefused(f"That is {len(rows):,} new rows; add at most {MAX_NEW_ROWS:,} at once.")
    for number, row in enumerate(rows, 1):
        if not isinstance(row, Mapping):
            raise RangeRefused("The new rows are not readable; reload the page and try again.")
        values = {k: _text(v) for k, v in row.items() if k in visible and k in fields.BY_KEY}
        try:
            program = create_program(values, batch_id=batch, tiering=given, season_id=season_id)
        except ValidationFailed as exc:
            result.rows_refused.append(f"new row {number}: " + " ".join(exc.errors.values()))
            continue
        result.created.append(program)
    if result.created:
        db.session.flush()
    return result


ACTIONS = {"paste": "Pasted", "clear": "Cleared", "fill": "Filled down"}


def summary(result: RangeResult, action: str, left_out: int = 0) -> tuple[str, str]:
    """(category, message) for the flash area."""
    verb = ACTIONS.get(action, "Wrote")
    n = result.cells_changed
    parts = []
    if n:
        programs = len(result.written)
        parts.append(f"{verb} {n} cell{'s' if n != 1 else ''} in {programs} program{'s' if programs != 1 else ''}.")
    elif not result.created:
        parts.append("Nothing changed." if not result.refused else f"{verb} nothing.")
    if result.created:
        k = len(result.created)
        parts.append(f"Added {k} new program{'s' if k != 1 else ''}.")
    if result.refused:
        parts.append(f"{result.refused} value{'s were' if result.refused != 1 else ' was'} not taken: "
                     "each cell says why and keeps its old value.")
    if result.rows_refused:
        parts.append("Not added: " + "; ".join(result.rows_refused[:3])
                     + (f" and {len(result.rows_refused) - 3} more." if len(result.rows_refused) > 3 else "."))
    if left_out:
        parts.append(f"{left_out} value{'s' if left_out != 1 else ''} past the last column shown "
                     f"{'were' if left_out != 1 else 'was'} left out.")
    category = "warn" if (result.refused or result.rows_refused or left_out) else "ok"
    return category, " ".join(parts)
