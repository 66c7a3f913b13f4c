"""Imports against the database: the stored programs as the planner sees them, applying a
plan in one transaction recorded as a batch, and undoing a batch."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from .. import fields
from ..changes import (StaleVersion, ValidationFailed, create_program, delete_program, new_batch_id, restore_program,
                       update_program)
from ..db import db
from ..models import Change, ImportBatch, MentorComment, Program, utcnow
from ..store import current_season_id, inputs
from ..tenancy import owner_clause
from .plan import Existing, Plan

CATALOGUE_COLUMNS = [Program.__table__.c[f.key] for f in fields.FIELDS]


class ImportRefused(Exception):
    """The write path refused a row while applying or undoing; the caller rolls back, so nothing
    of the import (or of its undo) is written. ``message`` is for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _refused(what: str, name: str, exc: Exception) -> ImportRefused:
    if isinstance(exc, ValidationFailed):
        why = " ".join(exc.errors.values())
    else:
        why = "it was changed elsewhere meanwhile; try again"
    return ImportRefused(f"{what} (“{name}”) was refused: {why} Nothing was changed.")


def existing_programs(changed_after: int | None = None) -> list[Existing]:
    """Every program (deleted ones too, so that their codes are recognised), with the fields
    a person set: whose latest change is not an import or, for a returned export
    (``changed_after`` its change mark), that changed in the tracker since it was exported."""
    user_fields: dict[int, set[str]] = defaultdict(set)
    if changed_after is not None:
        for program_id, key in db.session.execute(
            sa.select(Change.program_id, Change.field).where(Change.id > changed_after).distinct()
        ):
            user_fields[program_id].add(key)
    else:
        last = (
            sa.select(sa.func.max(Change.id).label("id"))
            .group_by(Change.program_id, Change.field)
            .subquery()
        )
        for program_id, key, source in db.session.execute(
            sa.select(Change.program_id, Change.field, Change.source).join(last, Change.id == last.c.id)
        ):
            if source != "import":
                user_fields[program_id].add(key)
    last_deletion = (
        sa.select(sa.func.max(Change.id).label("id")).where(Change.field == "deleted_at")
        .group_by(Change.program_id).subquery()
    )
    undone = set(db.session.scalars(
        sa.select(Change.program_id).join(last_deletion, Change.id == last_deletion.c.id)
        .where(Change.source == "undo", Change.new_value.is_not(None))))
    comments: dict[int, set] = defaultdict(set)
    for program_id, key, text in db.session.execute(
        sa.select(MentorComment.program_id, MentorComment.field, MentorComment.text)
        .join(Program, Program.id == MentorComment.program_id).where(Program.season_id == current_season_id())
    ):
        comments[program_id].add((key, text))
    keys = [f.key for f in fields.FIELDS]
    # plain tuples, not mappings: 27,000 stored programs load in a fraction of the time
    # Core, not the ORM's loading (nor its owner's criterion, which is added here: tracker.tenancy)
    rows = db.session.connection().execute(
        sa.select(Program.id, Program.version, Program.deleted_at, Program.tier, *CATALOGUE_COLUMNS)
        .where(Program.season_id == current_season_id(), owner_clause(Program.__table__))
    )
    no_fields: frozenset = frozenset()  # shared by the programs with none: never mutated
    out = []
    for program_id, version, deleted_at, tier, *values in rows:
        out.append(Existing(
            id=program_id,
            values=dict(zip(keys, values)),
            user_fields=user_fields.get(program_id, no_fields),
            version=version,
            deleted=deleted_at is not None,
            undone=deleted_at is not None and program_id in undone,
            tier=tier,
            comments=comments.get(program_id, no_fields),
        ))
    return out


def _keep_comments(batch: ImportBatch, row, program_id: int, counts: dict[str, int]) -> None:
    for comment in row.comments:
        db.session.add(MentorComment(program_id=program_id, field=comment.key, author=comment.author,
                                     text=comment.text, batch_id=batch.batch_id))
        counts["comments"] += 1


def apply_plan(batch: ImportBatch, plan: Plan, exclude: set[int], take_incoming: set[tuple[int, str]],
               progress=None, delete: set[int] = frozenset()) -> dict[str, int]:
    """Write the rows of ``plan`` not excluded (by line): new programs created, changes applied,
    conflicts resolved as chosen (the tracker's value unless line and key are in take_incoming),
    the mentor's comments kept on their programs; the programs the mentor removed that are in
    ``delete`` (ids) deleted, the others kept. Every change is logged with the batch's id. The
    caller commits (one transaction), or rolls back on ImportRefused: then nothing of the import
    is written."""
    given = inputs()
    counts = {"created": 0, "updated": 0, "cells": 0, "conflicts_taken": 0, "skipped": 0, "comments": 0,
              "deleted": 0}
    created_ids = []
    for removed in plan.removed:
        if removed.id in delete:
            program = db.session.get(Program, removed.id)
            if program is not None and program.deleted_at is None:
                delete_program(program, batch_id=batch.batch_id, source="import")
                counts["deleted"] += 1
    for row in plan.rows:
        if progress:
            progress(1)
        if row.kind == "invalid":
            continue
        if row.line in exclude:
            counts["skipped"] += row.kind != "unchanged" or bool(row.comments)
            continue
        if row.kind == "unchanged":
            _keep_comments(batch, row, row.program_id, counts)
            continue
        if row.kind == "new" and row.restore:  # back from an undone import, with the file's values
            values = {c.key: c.new for c in row.changes}
            _say_where_the_tier_came_from(values, batch)
            program = db.session.get(Program, row.program_id)
            restore_program(program, batch_id=batch.batch_id)
            try:
                update_program(program, values, source="import", batch_id=batch.batch_id, tiering=given)
                db.session.flush()
            except (ValidationFailed, StaleVersion) as exc:
                raise _refused(f"Row {row.line}", row.name, exc) from None
            created_ids.append(program.id)
            counts["created"] += 1
            counts["cells"] += len(row.changes)
            _keep_comments(batch, row, program.id, counts)
            continue
        if row.kind == "new":
            values = {c.key: c.new for c in row.changes}
            _say_where_the_tier_came_from(values, batch)
            try:
                program = create_program(values, source="import",
                                         batch_id=batch.batch_id, tiering=given)
                db.session.flush()
            except (ValidationFailed, StaleVersion) as exc:
                raise _refused(f"Row {row.line}", row.name, exc) from None
            created_ids.append(program.id)
            counts["created"] += 1
            counts["cells"] += len(row.changes)
            _keep_comments(batch, row, program.id, counts)
            continue
        _keep_comments(batch, row, row.program_id, counts)
        values = {}
        for change in row.changes:
            if change.conflict and (row.line, change.key) not in take_incoming:
                continue
            values[change.key] = change.new
            counts["conflicts_taken"] += change.conflict
        _say_where_the_tier_came_from(values, batch)
        if values:
            program = db.session.get(Program, row.program_id)
            try:
                update_program(program, values, source="import", batch_id=batch.batch_id, tiering=given)
            except (ValidationFailed, StaleVersion) as exc:
                raise _refused(f"Row {row.line}", row.name, exc) from None
            counts["updated"] += 1
            counts["cells"] += len(values)
    batch.status = "applied"
    batch.applied_at = utcnow()
    batch.counts = {**plan.counts(), **counts}
    batch.created_ids = created_ids
    return counts


def _say_where_the_tier_came_from(values: dict, batch: ImportBatch) -> None:
    """A tier set by hand from a file says which file, unless the file says why."""
    if values.get("tier_override") and not values.get("tier_override_reason"):
        values["tier_override_reason"] = f"From {batch.filename}"[:200]


@dataclass
class UndoItem:
    program_id: int
    name: str
    field: str | None  # None: the program was created by the import
    current: str
    restore: str
    blocked: str | None = None

    @property
    def label(self) -> str:
        if self.field == "deleted_at":
            return "Deleted (removed in the mentor's copy)"
        return fields.get(self.field).label if self.field else "Program"


def undo_preview(batch: ImportBatch) -> list[UndoItem]:
    """What undoing ``batch`` would do, and what it can't because it was edited since."""
    changes = db.session.scalars(
        sa.select(Change).where(Change.batch_id == batch.batch_id).order_by(Change.id)
    ).all()
    last_id = max((c.id for c in changes), default=0)
    created = set(batch.created_ids or [])
    items: list[UndoItem] = []
    for pid in sorted(created):
        program = db.session.get(Program, pid)
        later = db.session.scalar(
            sa.select(sa.func.count()).select_from(Change).where(Change.program_id == pid, Change.id > last_id)
        )
        blocked = "edited since the import" if later else None
        if program.deleted_at is not None and not later:
            blocked = "already deleted"
        items.append(UndoItem(pid, program.name, None, "imported", "removed", blocked))
    for change in changes:
        if change.field == "deleted_at" and change.program_id not in created and change.new_value:
            program = db.session.get(Program, change.program_id)  # deleted as removed in the mentor's copy
            blocked = None if program.deleted_at is not None else "already restored"
            items.append(UndoItem(program.id, program.name, "deleted_at", "deleted", "restored", blocked))
            continue
        if change.program_id in created or change.field not in fields.BY_KEY:
            continue
        program = db.session.get(Program, change.program_id)
        f = fields.get(change.field)
        current = f.to_text(getattr(program, change.field))
        blocked = None
        if current != (change.new_value or ""):
            blocked = f"changed since the import, to “{f.display(getattr(program, change.field)) or 'empty'}”"
        elif change.field == "program_code" and change.old_value:
            holder = db.session.scalar(sa.select(Program).where(
                Program.program_code == change.old_value, Program.season_id == program.season_id,
                Program.id != program.id))
            if holder is not None:
                blocked = f"its code {change.old_value} now belongs to “{holder.name}”"
        items.append(UndoItem(program.id, program.name, change.field, change.new_value or "",
                              change.old_value or "", blocked))
    return items


def undo_batch(batch: ImportBatch) -> dict[str, int]:
    """Restore what ``batch`` changed and remove what it created, except what was edited
    since. One new batch of "undo" changes. The caller commits, or rolls back on ImportRefused."""
    undo_id = new_batch_id()
    given = inputs()
    counts = {"restored": 0, "removed": 0, "kept": 0}
    by_program: dict[int, dict[str, str]] = defaultdict(dict)
    for item in undo_preview(batch):
        if item.blocked:
            counts["kept"] += 1
        elif item.field is None:
            delete_program(db.session.get(Program, item.program_id), batch_id=undo_id, source="undo")
            counts["removed"] += 1
        elif item.field == "deleted_at":
            restore_program(db.session.get(Program, item.program_id), batch_id=undo_id)
            counts["restored"] += 1
        else:
            by_program[item.program_id][item.field] = item.restore
    for pid, values in by_program.items():
        program = db.session.get(Program, pid)
        try:
            update_program(program, values, source="undo", batch_id=undo_id, tiering=given)
        except (ValidationFailed, StaleVersion) as exc:
            raise _refused("Restoring a program", program.name, exc) from None
        counts["restored"] += len(values)
    comments = db.session.execute(sa.delete(MentorComment).where(MentorComment.batch_id == batch.batch_id))
    counts["comments"] = comments.rowcount or 0
    batch.status = "undone"
    batch.undone_at = utcnow()
    return counts
