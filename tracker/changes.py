"""The one way a program is written: validate through the catalogue, log, bump the version.

Cell edits, the program form, Today, bulk edits, imports, undo, new seasons and the demo
loader all call these functions; none of them sets a catalogue attribute on a Program
directly. ``commit`` ends such a write: a row another writer changed first is StaleVersion,
however the conflict was found.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from . import fields
from .db import db
from .models import Change, HighWater, Program, ProgramRow, utcnow
from .prepared import Prepared
from .store import Inputs, current_season_id, inputs
from .tenancy import bound_owner_clause, current_owner, owner_clause
from .tiering import TIER_FIELDS, assign_tier
from .tiers import retier, stored_reasons


class ValidationFailed(Exception):
    """Some values were refused; ``errors`` maps field keys to messages. Nothing was written."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class StaleVersion(Exception):
    """The program changed since the caller read it (another tab, another person)."""


def new_batch_id() -> str:
    """A new batch's id: a UUID of version 7 (RFC 9562), 48 bits of the time in milliseconds then
    74 random ones, as 32 hex digits. Ids made one after another sort together, so the change log's
    batch index grows at its end; a random one (version 4) put every save's entry on another page
    of it: a fifth of SQLite's commit of a cell save."""
    value = time.time_ns() // 1_000_000 << 80 | int.from_bytes(os.urandom(10), "big") & _RANDOM_BITS
    return uuid.UUID(int=value | _VERSION_7).hex


_RANDOM_BITS = (1 << 80) - 1 & ~(0xF << 76) & ~(0b11 << 62)  # all but the version's and the variant's bits
_VERSION_7 = 0x7 << 76 | 0b10 << 62


def change_mark() -> int:
    """The newest change-log entry there has ever been: every change made later has a greater id,
    since ids are never given twice (not after a delete, nor after a restore: SQLite's
    AUTOINCREMENT counter, which tracker.backups raises). An export records it to spot later edits,
    and a returned export naming a greater one was not made by this tracker."""
    newest = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Change.id), 0)))
    if db.engine.dialect.name == "sqlite" and db.session.scalar(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")):
        counter = db.session.scalar(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'change'"))
        newest = max(newest, counter or 0)
    elif db.engine.dialect.name == "postgresql":  # the id sequence, which deleted rows don't take back
        sequence = db.session.scalar(sa.text("SELECT pg_get_serial_sequence('change', 'id')"))
        if sequence:
            counter = db.session.scalar(sa.text(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}"))
            newest = max(newest, counter or 0)
    return newest


def keep_version_high_water() -> None:
    """Record the highest program version so far before programs are deleted for good, so that a
    later restore moves every version past the versions those programs had (tracker.backups)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":  # the one row every applicant writes (tracker.db)
        from .db import PG_WRITE_LOCK_KEY

        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%(key)s, -1)", {"key": PG_WRITE_LOCK_KEY})
    highest = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Program.version), 0))
                                .execution_options(tracker_every_owner=True))
    kept = db.session.get(HighWater, "version")
    if kept is None:
        db.session.add(HighWater(name="version", value=highest))
    elif highest > kept.value:
        kept.value = highest


def commit() -> None:
    """Commit the session's writes. A program written by someone else since it was read (the
    version check of the flush, SQLAlchemy's StaleDataError) raises StaleVersion, as a stale
    ``expected_version`` does; the session is rolled back and nothing is written."""
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise StaleVersion(str(exc)) from exc


def _check_unique_code(values: Mapping[str, Any], program_id: int | None, season_id: int) -> None:
    code = values.get("program_code")
    if not code:
        return
    other = db.session.scalar(
        sa.select(Program).where(Program.program_code == code, Program.season_id == season_id,
                                 Program.id != (program_id or 0))
    )
    if other is not None:
        where = " (deleted; restore it from its page)" if other.deleted_at else ""
        raise ValidationFailed(
            {"program_code": f"Program code {code} already belongs to {other.name}{where}."}
        )


def _invitation_arrives(old_status: str | None, new_status: str | None, invited_at) -> bool:
    """A status becoming interview invited with no moment of invitation kept yet: it is stamped now
    (programs leave 48 hours to answer, and Today counts them from it)."""
    return new_status == "interview_invited" and old_status != "interview_invited" and invited_at is None


def update_program(
    program: Program,
    raw: Mapping[str, Any],
    *,
    source: str = "edit",
    batch_id: str | None = None,
    expected_version: int | None = None,
    tiering: Inputs | None = None,
) -> list[Change]:
    """Validate ``raw`` (field key -> typed or raw value) and apply what differs.

    Raises StaleVersion when ``expected_version`` is given and is not the program's,
    ValidationFailed when any value is refused (then nothing is changed). Returns the
    change rows written (none when every value equals what is stored); the tier is
    recomputed when a field it depends on changed. The caller commits.
    """
    if expected_version is not None and expected_version != program.version:
        raise StaleVersion(f"program {program.id} is at version {program.version}, not {expected_version}")
    batch_id = batch_id or new_batch_id()  # every write is one batch: what undo takes back
    values, errors = fields.parse_values(dict(raw))
    if errors:
        raise ValidationFailed(errors)
    _check_unique_code(values, program.id, program.season_id)
    if ("status" in values and _invitation_arrives(program.status, values["status"], program.invited_at)
            and values.get("invited_at") is None):
        values["invited_at"] = fields.now()
    changes: list[Change] = []
    for key, new in values.items():
        old = getattr(program, key)
        if old == new:
            continue
        f = fields.BY_KEY[key]
        setattr(program, key, new)
        changes.append(
            Change(
                program=program,
                field=key,
                old_value=f.to_text(old) or None,
                new_value=f.to_text(new) or None,
                source=source,
                batch_id=batch_id,
            )
        )
    if changes:
        program.updated_at = utcnow()
        db.session.add_all(changes)
        if any(c.field in TIER_FIELDS for c in changes):
            retier(program, tiering)
    return changes


# Every column but the tier's reasons, which the grid fetches only when a tier is looked at.
_ROW_COLUMNS = [c for c in Program.__table__.c if c.key != "tier_reasons"]
_READ_ROW = sa.select(*_ROW_COLUMNS).where(Program.__table__.c.id == sa.bindparam("pid"))
# Core statements on the bare table, each run on the driver's cursor (tracker.prepared): the
# owner's criterion is their own (tracker.tenancy), by whether rows have an owner at all
_READ_ROWS = {owned: Prepared(_READ_ROW.where(bound_owner_clause(Program.__table__, owned))) for owned in (True, False)}


def read_row(program_id: int) -> ProgramRow | None:
    """The owner's program's stored row (deleted or not; without its tier's reasons), read with one
    Core select; None when there is none."""
    owner = current_owner()
    statement, connection = _READ_ROWS[owner is not None], db.session.connection()
    row = statement.first(connection, {"pid": program_id, "owner": owner})
    return None if row is None else ProgramRow(zip(statement.keys(connection), row))


_LOG_CHANGE = Prepared(sa.insert(Change.__table__).values(
    {c: sa.bindparam(c, type_=Change.__table__.c[c].type)
     for c in ("program_id", "field", "old_value", "new_value", "source", "batch_id", "created_at", "owner_id")}))


@lru_cache(maxsize=None)
def _cell_update(key: str, with_tier: bool, owned: bool) -> Prepared:
    """UPDATE program SET <key>, version + 1, updated_at (, tier, tier_reasons) WHERE id AND version
    AND the owner's: built once per field (building a statement costs more than running it). A Core
    statement on the bare table: the owner's criterion is its own (``owned``: ``owner_id = :owner``,
    else the one-person tracker's ``owner_id IS NULL``)."""
    table = Program.__table__
    values = {key: sa.bindparam("value", type_=table.c[key].type), "version": table.c.version + 1,
              "updated_at": sa.bindparam("now", type_=table.c.updated_at.type)}
    if with_tier:
        values.update(tier=sa.bindparam("tier", type_=table.c.tier.type),
                      tier_reasons=sa.bindparam("reasons", type_=table.c.tier_reasons.type))
    where = (table.c.id == sa.bindparam("pid"), table.c.version == sa.bindparam("expected"),
             bound_owner_clause(table, owned))
    return Prepared(sa.update(table).where(*where).values(values))


@dataclass
class SavedCell:
    """What ``save_cell`` did: the row before and after (the same row when nothing changed)."""

    before: ProgramRow
    after: ProgramRow
    changed: bool


def save_cell(before: ProgramRow, key: str, raw: Any, *, expected_version: int, source: str = "edit",
              tiering: Inputs | None = None) -> SavedCell:
    """One field of one program (a grid cell), as ``update_program`` writes it, without the ORM: one
    ``UPDATE … WHERE id = ? AND version = ?`` and one change-log insert, on the driver's cursor
    (tracker.prepared). The row after is ``before`` with what was written, each value as its column
    reads it back.

    ``before`` is the live row read in this write transaction (``read_row``). Raises StaleVersion when
    ``expected_version`` is not the row's (or the update finds the row moved on: no row matched),
    ValidationFailed when the value is refused; either way nothing is written. The tier is recomputed
    only when ``key`` is one of its inputs. The caller commits."""
    if expected_version != before.version:
        raise StaleVersion(f"program {before.id} is at version {before.version}, not {expected_version}")
    values, errors = fields.parse_values({key: raw})
    if errors:
        raise ValidationFailed(errors)
    _check_unique_code(values, before.id, before.season_id)
    old, new = before[key], values[key]
    if old == new:
        return SavedCell(before, before, changed=False)
    owner = current_owner()
    params: dict[str, Any] = {"value": new, "now": utcnow(), "pid": before.id, "expected": expected_version,
                              "owner": owner}
    with_tier = key in TIER_FIELDS
    if with_tier:
        given = tiering or inputs()
        result = assign_tier({**before, key: new}, given.profile, given.rules)
        params.update(tier=result.tier, reasons=stored_reasons(result))
    connection = db.session.connection()
    if _cell_update(key, with_tier, owner is not None).execute(connection, params) != 1:
        raise StaleVersion(f"program {before.id} changed since version {expected_version}")
    # the row as the update left it, each value as its column reads it back, not read again
    table, read = Program.__table__, _READ_ROWS[owner is not None]  # the statement before was read with
    after = {**before, "version": before.version + 1, key: read.as_read(connection, key, new),
             "updated_at": read.as_read(connection, "updated_at", params["now"])}
    if with_tier:
        after["tier"] = params["tier"]
    f = fields.BY_KEY[key]
    batch_id = new_batch_id()
    log = {"program_id": before.id, "field": key, "old_value": f.to_text(old) or None,
           "new_value": f.to_text(new) or None, "source": source, "batch_id": batch_id,
           "created_at": params["now"], "owner_id": owner}
    _LOG_CHANGE.execute(connection, log)
    if key == "status" and _invitation_arrives(old, new, before["invited_at"]):  # in the same step
        moment = fields.now()
        connection.execute(sa.update(table).where(table.c.id == before.id, owner_clause(table, owner))
                           .values(invited_at=moment))
        _LOG_CHANGE.execute(connection, {**log, "field": "invited_at", "old_value": None,
                                         "new_value": fields.BY_KEY["invited_at"].to_text(moment) or None})
        after["invited_at"] = read.as_read(connection, "invited_at", moment)
    return SavedCell(before, ProgramRow(after), changed=True)


def create_program(
    raw: Mapping[str, Any],
    *,
    source: str = "create",
    batch_id: str | None = None,
    tiering: Inputs | None = None,
    season_id: int | None = None,
    demo: bool = False,
) -> Program:
    """A new program from ``raw`` in ``season_id`` (default: the current season); every non-empty
    value is logged as a change. ``demo`` marks a fictional program of the demo list."""
    values, errors = fields.parse_values(dict(raw))
    if "name" not in values and "name" not in errors:
        errors["name"] = "Program is required."
    if errors:
        raise ValidationFailed(errors)
    season_id = season_id or current_season_id()
    batch_id = batch_id or new_batch_id()
    _check_unique_code(values, None, season_id)
    program = Program(**{**fields.defaults(), **values}, season_id=season_id, demo=demo)
    retier(program, tiering)
    db.session.add(program)
    for key, value in values.items():
        f = fields.BY_KEY[key]
        text = f.to_text(value)
        if text and (f.required or value != f.parse(None)):
            db.session.add(
                Change(program=program, field=key, old_value=None, new_value=text,
                       source=source, batch_id=batch_id)
            )
    return program


def delete_program(program: Program, *, batch_id: str | None = None, source: str = "delete") -> Change:
    """Soft delete: the row leaves the grid and stays restorable from its page. (An import's
    undo removes what it added with source "undo", which Ctrl+Z leaves alone.)"""
    batch_id = batch_id or new_batch_id()
    now = utcnow()
    program.deleted_at = now
    change = Change(program=program, field="deleted_at", old_value=None,
                    new_value=now.isoformat(sep=" "), source=source, batch_id=batch_id)
    db.session.add(change)
    return change


def restore_program(program: Program, *, batch_id: str | None = None, source: str = "undo") -> Change:
    """Bring a deleted program back. The source "undo" (an undo's, or the grid's Restore after a
    delete) keeps it off Ctrl+Z's stack; the Deleted page's restores are "restore", which is on it."""
    batch_id = batch_id or new_batch_id()
    change = Change(program=program, field="deleted_at",
                    old_value=program.deleted_at.isoformat(sep=" ") if program.deleted_at else None,
                    new_value=None, source=source, batch_id=batch_id)
    program.deleted_at = None
    db.session.add(change)
    return change


def delete_programs(programs: list[Program], *, batch_id: str | None = None) -> list[Program]:
    """Soft-delete every program of ``programs`` not deleted yet, as one batch (one undo brings
    them all back). Returns the programs deleted. The caller commits."""
    batch_id = batch_id or new_batch_id()
    deleted = [p for p in programs if p.deleted_at is None]
    for program in deleted:
        delete_program(program, batch_id=batch_id)
    return deleted


class RestoreConflict(Exception):
    """Some of the programs to restore can't be: ``conflicts`` holds one sentence per program.
    Nothing was restored."""

    def __init__(self, conflicts: list[str]):
        super().__init__(" ".join(conflicts))
        self.conflicts = conflicts


def restore_programs(programs: list[Program], *, season_id: int | None = None,
                     batch_id: str | None = None) -> list[Change]:
    """Restore ``programs`` (deleted programs of the season ``season_id``, default the current
    one) as one batch of "restore" changes, which one undo takes back; or, when any of them
    conflicts (restored already, in another season, its program code held by another program),
    raise RestoreConflict naming each one, and restore none. The caller commits."""
    season_id = season_id or current_season_id()
    conflicts: list[str] = []
    for program in programs:
        if program.season_id != season_id:
            conflicts.append(f"{program.name} belongs to another season; switch to it on the Seasons page first.")
        elif program.deleted_at is None:
            conflicts.append(f"{program.name} is not deleted any more (restored since, in another tab or by an undo).")
        elif program.program_code:
            try:
                _check_unique_code({"program_code": program.program_code}, program.id, season_id)
            except ValidationFailed as exc:
                conflicts.append(f"{program.name}: {exc.errors['program_code']}")
    if conflicts:
        raise RestoreConflict(conflicts)
    batch_id = batch_id or new_batch_id()
    return [restore_program(program, batch_id=batch_id, source="restore") for program in programs]
