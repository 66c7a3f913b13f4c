"""Tiers in the database: the profile and rules in force, and (re)computing stored tiers.

tracker.tiering decides; this module reads its inputs from the database and writes its
answers back. A computed tier is derived data: writing it never bumps a program's version
and never writes the change log (overrides, which are the user's, do both)."""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache

import orjson
import sqlalchemy as sa

from .db import db
from .models import Program
from .prepared import Prepared
from .rules import TIERS
from .store import Inputs, current_season_id, in_season, inputs
from .tenancy import bound_owner_clause, current_owner
from .tiering import TIER_FIELDS, TierResult, assign_tier


def stored_reasons(result: TierResult) -> list[list[str]]:
    return [[r.text, r.effect] for r in result.details]


def retier(program: Program, given: Inputs | None = None) -> TierResult:
    """Recompute one program's tier on the object (saved with the caller's flush)."""
    given = given or inputs()
    result = assign_tier(program, given.profile, given.rules)
    program.tier = result.tier
    program.tier_reasons = stored_reasons(result)
    return result


def reasons_json(reasons: list[list[str]]) -> str:
    """The JSON text of a tier's reasons, as retier_all stores and compares it (orjson: some 13,000
    of them in a pass took json.dumps a sixth of it)."""
    try:
        return orjson.dumps(reasons).decode()
    except TypeError:  # a string orjson refuses (a lone surrogate from a file): the standard library's
        return json.dumps(reasons)


def _same_reasons(stored, text: str, reasons: list[list[str]]) -> bool:
    """Whether the stored reasons are these: the same text, or, for reasons written as json.dumps
    spaces them (by a single save, through the JSON column, or before this form), the same value.
    json.dumps's text always has '", "' between a pair's two strings: text without it is not in
    that form, so when it differs the reasons differ, told without decoding it. PostgreSQL's
    driver reads JSON as lists."""
    if isinstance(stored, str):
        return stored == text or ('", "' in stored and json.loads(stored) == reasons)
    return stored == reasons


@lru_cache(maxsize=None)
def _tier_statements(owned: bool, only_missing: bool, dialect: str) -> tuple[Prepared, Prepared]:
    """The read of every tier input of the season's programs and the write of a changed tier, as
    Core statements on the bare table (the owner's criterion is their own: tracker.tenancy), run
    on the driver's cursor (tracker.prepared): SQLAlchemy's own execution cost as much as SQLite's
    work for 13,000 rows. The reasons are read as their JSON text, compared with the new ones' text
    (decoding 13,000 of them took a seventh of the pass), and written as that text (SQLite keeps
    JSON as it is; PostgreSQL is told it is json)."""
    table = Program.__table__
    read = sa.select(table.c.id, table.c.tier, sa.type_coerce(table.c.tier_reasons, sa.Text).label("tier_reasons"),
                     *(table.c[key] for key in sorted(TIER_FIELDS))).where(
        table.c.season_id == sa.bindparam("season"), bound_owner_clause(table, owned))
    if only_missing:
        read = read.where(table.c.tier.is_(None))
    reasons_text = sa.bindparam("reasons", type_=sa.Text)
    if dialect == "postgresql":
        reasons_text = sa.cast(reasons_text, table.c.tier_reasons.type)
    write = (sa.update(table).where(table.c.id == sa.bindparam("pid"), bound_owner_clause(table, owned))
             .values(tier=sa.bindparam("tier"), tier_reasons=reasons_text))
    return Prepared(read), Prepared(write)


def retier_all(given: Inputs | None = None, *, only_missing: bool = False) -> Counter:
    """Recompute every program's tier in one pass of plain rows (fast for 13,000 programs).

    The caller commits. Returns the counts by effective tier of live programs."""
    given = given or inputs()
    # the profile describes the applicant of the current season; other seasons keep their tiers
    connection, owner = db.session.connection(), current_owner()
    read, write = _tier_statements(owner is not None, only_missing, connection.dialect.name)
    params = {"season": current_season_id(), "owner": owner}
    keys = read.keys(connection)
    updates = []
    memo: dict = {}  # what each check did for each combination of its fields (tracker.tiering)
    for values in read.rows(connection, params):
        row = dict(zip(keys, values))  # a plain dict: a row's mapping reads a key several times slower
        result = assign_tier(row, given.profile, given.rules, memo)
        reasons = stored_reasons(result)
        text = reasons_json(reasons)
        if result.tier != row["tier"] or not _same_reasons(row["tier_reasons"], text, reasons):
            updates.append({"pid": row["id"], "tier": result.tier, "reasons": text, "owner": owner})
    if updates:  # only what changed is written
        write.executemany(connection, updates)
    db.session.expire_all()
    return tier_counts()


def effective_tier_column():
    """tracker.tiering.effective_tier in SQL: the tier set by hand, else the computed one."""
    return sa.func.coalesce(Program.tier_override, Program.tier)


def tier_counts() -> Counter:
    """Live programs of the current season by effective tier (override first), every tier present."""
    rows = db.session.execute(
        in_season(sa.select(effective_tier_column(), sa.func.count())).group_by(effective_tier_column()))
    counts = Counter({tier: 0 for tier in TIERS})
    for tier, n in rows:
        counts[tier or "untiered"] += n
    return counts
