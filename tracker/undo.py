"""Undo and redo of the user's last actions, read back from the change log.

The stack holds the batches of the user's own actions on the current season's programs (a
cell edit, a form save, a bulk edit, an add, a delete, a restore from the Deleted page:
``Change.source`` in UNDOABLE), newest first. ``undo_last`` takes the newest back through tracker.changes as one new batch of "undo"
changes and records an UndoStep; ``redo_last`` re-applies the newest undone batch, as long as
nothing was edited after that undo. A value that changed since the batch (another tab, an
import) is never overwritten: it is kept, and the message says so.

Imports are undone from their own page and are not on this stack; "undo" and "redo" changes
are what this module writes.

No Flask here: the caller opens a write transaction (tracker.db.write_transaction) and commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from . import fields
from .changes import ValidationFailed, delete_program, new_batch_id, restore_program, update_program
from .db import db
from .models import Change, Program, UndoStep, utcnow
from .store import current_season_id, inputs

# The sources of the user's own actions; a batch is on the stack when all its changes have one.
UNDOABLE = ("edit", "bulk", "create", "delete", "restore")
SHOWN_IN_MESSAGE = 3  # subjects named in a message before "and N more"

# Why a change was not taken back: singular and plural endings after its subject(s).
REASONS = {
    "changed": ("had changed since and was kept", "had changed since and were kept"),
    "deleted": ("was kept: the program is deleted", "were kept: their programs are deleted"),
    "already_deleted": ("was already deleted", "were already deleted"),
    "already_restored": ("was already restored", "were already restored"),
}


@dataclass
class UndoResult:
    """What an undo or a redo did, for the grid (rows to re-render) and the user (message)."""

    message: str
    category: str = "ok"  # "ok"; "warn" when something was kept or there was nothing to do
    program_ids: list[int] = field(default_factory=list)  # programs written, in batch order
    restored_ids: list[int] = field(default_factory=list)  # of those, restored by this step
    done: int = 0  # changes taken back (or re-applied); adding or deleting a program is one
    total: int = 0
    kept: list[str] = field(default_factory=list)  # "City of X had changed since and was kept"


@dataclass
class _Run:
    """One undo or redo being written: one new batch of changes."""

    redo: bool
    restoring: bool = False  # the user's batch restored programs (from the Deleted page)
    batch_id: str = field(default_factory=new_batch_id)
    done: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)  # "field", "adding", "deleting" or "restoring", per done
    kept: list[tuple[str, str]] = field(default_factory=list)  # (subject, reason key or message)
    written: dict[int, None] = field(default_factory=dict)  # ordered set of program ids
    restored: list[int] = field(default_factory=list)

    @property
    def source(self) -> str:
        return "redo" if self.redo else "undo"

    @property
    def verb(self) -> str:
        return "Redid" if self.redo else "Undid"

    def did(self, program: Program, text: str, action: str = "field") -> None:
        self.done.append(text)
        self.actions.append(action)
        self.written[program.id] = None

    def keep(self, subject: str, reason: str) -> None:
        self.kept.append((subject, reason))

    def result(self) -> UndoResult:
        total = len(self.done) + len(self.kept)
        return UndoResult(
            message=self.message(total), category="warn" if self.kept or not self.done else "ok",
            program_ids=list(self.written), restored_ids=self.restored,
            done=len(self.done), total=total, kept=_kept_clauses(self.kept),
        )

    def message(self, total: int) -> str:
        kept = "; ".join(_kept_clauses(self.kept))
        n = len(self.done)
        if n == 0:
            if not kept:
                return f"{self.verb} nothing: that step changed no field the tracker still has."
            return f"Could not {'redo' if self.redo else 'undo'}: {kept}."
        if self.kept:
            return f"{self.verb} {n} of {total} change{'s' if total != 1 else ''}; {kept}."
        if n == 1:
            return f"{self.verb}: {self.done[0]}."
        if len(set(self.actions)) == 1 and self.actions[0] in ("adding", "deleting", "restoring"):
            return f"{self.verb} {self.actions[0]} {n} programs."
        programs = len(self.written)
        if programs == 1:
            name = db.session.get(Program, next(iter(self.written))).name
            return f"{self.verb} {n} changes to {name}."
        return f"{self.verb} {n} changes to {programs} programs."


def _listing(subjects: list[str]) -> str:
    if len(subjects) > SHOWN_IN_MESSAGE:
        more = len(subjects) - SHOWN_IN_MESSAGE
        return f"{', '.join(subjects[:SHOWN_IN_MESSAGE])} and {more} more"
    if len(subjects) == 1:
        return subjects[0]
    return f"{', '.join(subjects[:-1])} and {subjects[-1]}"


def _kept_clauses(kept: list[tuple[str, str]]) -> list[str]:
    """One clause per reason, its subjects listed: "City of X and State of Y had changed since..."."""
    by_reason: dict[str, list[str]] = {}
    for subject, reason in kept:
        by_reason.setdefault(reason, []).append(subject)
    clauses = []
    for reason, subjects in by_reason.items():
        if reason in REASONS:
            one, many = REASONS[reason]
            clauses.append(f"{_listing(subjects)} {one if len(subjects) == 1 else many}")
        else:  # a value the catalogue refuses now (a program code taken since, say): its message
            clauses.append(f"{_listing(subjects)} {'was' if len(subjects) == 1 else 'were'} kept "
                           f"({reason.rstrip('.')})")
    return clauses


# -- the stack -----------------------------------------------------------------------------------


def _candidate_batches(season_id: int, page: int = 20) -> Iterator[str]:
    """Batches of the season's programs made only of the user's own actions, newest first,
    except those undone (and not redone) and this module's own batches."""
    undone = sa.select(UndoStep.batch_id).where(UndoStep.redone_at.is_(None))
    undo_batches = sa.select(UndoStep.undo_batch_id)
    others = sa.func.sum(sa.case((Change.source.in_(UNDOABLE), 0), else_=1))
    query = (
        sa.select(Change.batch_id)
        .join(Program, Program.id == Change.program_id)
        .where(Program.season_id == season_id, Change.batch_id.is_not(None),
               Change.batch_id.not_in(undone), Change.batch_id.not_in(undo_batches))
        .group_by(Change.batch_id)
        .having(others == 0)
        .order_by(sa.func.max(Change.id).desc())
    )
    offset = 0
    while True:
        rows = db.session.scalars(query.limit(page).offset(offset)).all()
        yield from rows
        if len(rows) < page:
            return
        offset += page


def _batch_changes(batch_id: str) -> list[Change]:
    return list(db.session.scalars(sa.select(Change).where(Change.batch_id == batch_id).order_by(Change.id)))


def undoable_batches(limit: int = 1) -> list[str]:
    """The batch ids ``undo_last`` would take back, newest first (at most ``limit``)."""
    found: list[str] = []
    for batch_id in _candidate_batches(current_season_id()):
        if len(found) >= limit:
            break
        found.append(batch_id)
    return found


def _redo_step() -> UndoStep | None:
    """The newest undo of the current season not redone yet."""
    in_season = (
        sa.select(Change.id).join(Program, Program.id == Change.program_id)
        .where(Change.batch_id == UndoStep.batch_id, Program.season_id == current_season_id())
        .exists()
    )
    return db.session.scalar(
        sa.select(UndoStep).where(UndoStep.redone_at.is_(None), in_season).order_by(UndoStep.id.desc()).limit(1)
    )


def _edited_since(step: UndoStep) -> bool:
    """Whether anything but undo and redo wrote to the season's programs after ``step``."""
    undo_batches = sa.select(UndoStep.undo_batch_id)
    later = (
        sa.select(Change.id).join(Program, Program.id == Change.program_id)
        .where(Program.season_id == current_season_id(), Change.id > step.last_change_id,
               Change.source != "redo",
               sa.or_(Change.batch_id.is_(None), Change.batch_id.not_in(undo_batches)))
        .limit(1)
    )
    return db.session.scalar(later) is not None


def can_undo() -> bool:
    return bool(undoable_batches(1))


def can_redo() -> bool:
    step = _redo_step()
    return step is not None and not _edited_since(step)


def state() -> dict[str, bool]:
    """What the Undo and Redo buttons show: {"can_undo": ..., "can_redo": ...}."""
    return {"can_undo": can_undo(), "can_redo": can_redo()}


# -- taking a batch back ---------------------------------------------------------------------------


def _as_created(program: Program, created: list[Change]) -> bool:
    """Whether every field of ``program`` is still what its creation set."""
    expected = {key: fields.BY_KEY[key].to_text(value) for key, value in fields.defaults().items()}
    for c in created:
        if c.field in fields.BY_KEY:
            expected[c.field] = c.new_value or ""
    return all(f.to_text(getattr(program, f.key)) == expected.get(f.key, "") for f in fields.FIELDS)


def _take_back(changes: list[Change], run: _Run) -> None:
    """Write the inverse of ``changes`` (one batch) where what they wrote is still there.

    Undo passes a batch of the user's; redo passes the batch an undo wrote, whose inverse is
    the user's batch again.
    """
    given = inputs()
    by_program: dict[int, list[Change]] = {}
    for c in changes:
        by_program.setdefault(c.program_id, []).append(c)
    for program_id, group in by_program.items():
        program = db.session.get(Program, program_id)
        name = program.name
        if any(c.source == "create" for c in group):  # undoing an add: remove the program
            if program.deleted_at is not None:
                run.keep(name, "already_deleted")
            elif not _as_created(program, group):
                run.keep(name, "changed")
            else:
                delete_program(program, batch_id=run.batch_id).source = run.source
                run.did(program, f"adding {name}", "adding")
            continue

        life = [c for c in group if c.field == "deleted_at"]
        deleted_now = program.deleted_at is not None
        deleted_then = deleted_now  # the state this step leaves the program in
        if life:
            before, after = life[0].old_value is not None, life[-1].new_value is not None
            if before != after:
                if deleted_now != after:  # restored or deleted since, from its page
                    run.keep(name, "already_restored" if after else "already_deleted")
                else:
                    deleted_then = before
                    if not before:  # restore first, so its fields can be written below
                        change = restore_program(program, batch_id=run.batch_id)
                        change.source = run.source
                        run.restored.append(program.id)
                        # Undo restores what the user deleted; redo restores what the user added
                        # (or restored).
                        action = "restoring" if run.restoring else "adding" if run.redo else "deleting"
                        run.did(program, f"{action} {name}", action)

        values: dict[str, str] = {}
        shown: dict[str, str] = {}
        first: dict[str, Change] = {}
        last: dict[str, Change] = {}
        for c in group:
            if c.field in fields.BY_KEY:
                first.setdefault(c.field, c)
                last[c.field] = c
        for key, c in first.items():
            f = fields.BY_KEY[key]
            subject = f"{f.label} of {name}"
            if program.deleted_at is not None:  # deleted, and this step does not restore it
                run.keep(subject, "deleted")
            elif f.to_text(getattr(program, key)) != (last[key].new_value or ""):
                run.keep(subject, "changed")
            else:
                values[key] = c.old_value or ""
                shown[key] = f"{subject} {'to' if run.redo else 'back to'} {c.shown(c.old_value) or 'empty'}"
        while values:
            try:
                update_program(program, values, source=run.source, batch_id=run.batch_id, tiering=given)
            except ValidationFailed as exc:
                refused = [key for key in exc.errors if key in values]
                for key in refused or list(values):
                    run.keep(f"{fields.BY_KEY[key].label} of {name}", exc.errors.get(key, str(exc)))
                    values.pop(key)
                continue
            for key in values:
                run.did(program, shown[key])
            break

        if life and deleted_then and not deleted_now:  # delete last, after any field
            change = delete_program(program, batch_id=run.batch_id)
            change.source = run.source
            action = "restoring" if run.restoring else "deleting" if run.redo else "adding"
            run.did(program, f"{action} {name}", action)


def _restores(changes: list[Change]) -> bool:
    return bool(changes) and all(c.source == "restore" for c in changes)


def undo_last() -> UndoResult:
    """Take back the newest batch on the stack, as one batch of "undo" changes. The caller commits."""
    batches = undoable_batches(1)
    if not batches:
        return UndoResult("Nothing to undo.", category="warn")
    changes = _batch_changes(batches[0])
    run = _Run(redo=False, restoring=_restores(changes))
    _take_back(changes, run)
    db.session.flush()
    last = db.session.scalar(sa.select(sa.func.max(Change.id))) or 0
    # Recorded even when everything was kept, so that the next undo reaches the batch before it.
    db.session.add(UndoStep(batch_id=batches[0], undo_batch_id=run.batch_id, last_change_id=last))
    db.session.flush()
    return run.result()


def redo_last() -> UndoResult:
    """Re-apply the newest undone batch, unless something was edited after that undo. The caller commits."""
    step = _redo_step()
    if step is None:
        return UndoResult("Nothing to redo.", category="warn")
    if _edited_since(step):
        return UndoResult("Nothing to redo: the list was edited after the last undo.", category="warn")
    run = _Run(redo=True, restoring=_restores(_batch_changes(step.batch_id)))
    _take_back(_batch_changes(step.undo_batch_id), run)
    step.redone_at = utcnow()
    db.session.flush()
    return run.result()


# -- the recent-changes page -----------------------------------------------------------------------


@dataclass
class BatchGroup:
    """Consecutive changes of one batch, for the recent-changes page."""

    batch_id: str | None
    changes: list[Change]
    undone: bool = False  # taken back by an undo (and not redone)

    @property
    def source(self) -> str:
        return self.changes[0].source

    @property
    def created_at(self) -> dt.datetime:
        return self.changes[0].created_at


def recent_changes(limit: int = 200) -> list[Change]:
    """The latest changes to the current season's programs, newest first, with their programs."""
    return list(db.session.scalars(
        sa.select(Change).join(Change.program).options(contains_eager(Change.program))
        .where(Program.season_id == current_season_id())
        .order_by(Change.id.desc()).limit(limit)
    ))


def group_by_batch(changes: list[Change]) -> list[BatchGroup]:
    """``changes`` (newest first) as runs of one batch, each marked when an undo took it back."""
    groups: list[BatchGroup] = []
    for c in changes:
        if groups and c.batch_id is not None and groups[-1].batch_id == c.batch_id:
            groups[-1].changes.append(c)
        else:
            groups.append(BatchGroup(c.batch_id, [c]))
    ids = {g.batch_id for g in groups if g.batch_id}
    if ids:
        undone = set(db.session.scalars(
            sa.select(UndoStep.batch_id).where(UndoStep.batch_id.in_(ids), UndoStep.redone_at.is_(None))))
        for g in groups:
            g.undone = g.batch_id in undone
    return groups
