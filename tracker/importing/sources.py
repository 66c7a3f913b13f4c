"""Where each of a program's values came from, read from the change log and the import batches:
the last change that set the field and, when an import made it, the file, sheet, time of import and
the file's own data-last-updated date (the FREIDA field the same import set)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from ..db import db
from ..models import Change, ImportBatch

SOURCE_WORDS = {"edit": "you", "bulk": "you (bulk edit)", "create": "you", "demo": "the demo list",
                "season": "the new season", "undo": "an undo", "redo": "a redo", "delete": "you"}


@dataclass(frozen=True)
class Source:
    how: str  # Change.source
    at: dt.datetime
    filename: str | None = None
    sheet: str | None = None
    data_updated: str | None = None  # the file's own date, as logged

    def __str__(self) -> str:
        when = self.at.strftime("%Y-%m-%d %H:%M")
        if self.filename is None:
            return f"Set by {SOURCE_WORDS.get(self.how, self.how)}, {when} UTC"
        text = f"From “{self.filename}”" + (f", sheet “{self.sheet}”" if self.sheet and self.sheet != self.filename else "")
        text += f", imported {when} UTC"
        if self.data_updated:
            text += f"; the file's data last updated {self.data_updated}"
        return text


def sources(program_id: int) -> dict[str, Source]:
    """Each field's source: the change that last set it (a field never changed has none)."""
    latest = (sa.select(Change.field, sa.func.max(Change.id).label("id"))
              .where(Change.program_id == program_id).group_by(Change.field).subquery())
    changes = db.session.scalars(sa.select(Change).join(latest, Change.id == latest.c.id)).all()
    batch_ids = {c.batch_id for c in changes if c.source == "import" and c.batch_id}
    batches = {b.batch_id: b for b in db.session.scalars(
        sa.select(ImportBatch).where(ImportBatch.batch_id.in_(batch_ids)))} if batch_ids else {}
    dated = {c.batch_id: c.new_value for c in db.session.scalars(
        sa.select(Change).where(Change.program_id == program_id, Change.field == "data_updated_on",
                                Change.batch_id.in_(batch_ids)))} if batch_ids else {}
    found = {}
    for c in changes:
        batch = batches.get(c.batch_id) if c.source == "import" else None
        if batch is not None:
            found[c.field] = Source(c.source, batch.applied_at or c.created_at, batch.filename, batch.sheet,
                                    dated.get(c.batch_id))
        else:
            found[c.field] = Source(c.source, c.created_at)
    return found
