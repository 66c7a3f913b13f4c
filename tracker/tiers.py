"""Tiers in the database: the profile and rules in force, and (re)computing stored tiers.

tracker.tiering decides; this module reads its inputs from the database and writes its
answers back. A computed tier is derived data: writing it never bumps a program's version
and never writes the change log (overrides, which are the user's, do both)."""

from __future__ import annotations

import json
from collections import Counter

import sqlalchemy as sa

from .db import db
from .models import Program
from .rules import TIERS
from .store import Inputs, current_season_id, in_season, inputs
from .tenancy import owner_clause
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


def retier_all(given: Inputs | None = None, *, only_missing: bool = False) -> Counter:
    """Recompute every program's tier in one pass of plain rows (fast for 13,000 programs).

    The caller commits. Returns the counts by effective tier of live programs."""
    given = given or inputs()
    table = Program.__table__
    columns = [table.c[key] for key in sorted(TIER_FIELDS)]
    # the profile describes the applicant of the current season; other seasons keep their tiers
    # the stored reasons are read as their JSON text and compared with the new ones' text: decoding
    # 13,000 of them took a seventh of the pass (a driver that decodes JSON itself, psycopg, gives lists)
    # Core statements on the bare table: the owner's criterion is their own (tracker.tenancy)
    query = sa.select(table.c.id, table.c.tier, sa.type_coerce(table.c.tier_reasons, sa.Text).label("tier_reasons"),
                      *columns).where(
        table.c.season_id == current_season_id(), owner_clause(table))
    if only_missing:
        query = query.where(table.c.tier.is_(None))
    updates = []
    memo: dict = {}  # what each check did for each combination of its fields (tracker.tiering)
    result_rows = db.session.connection().execute(query)  # Core rows, not ORM loading
    keys = list(result_rows.keys())
    for values in result_rows:
        row = dict(zip(keys, values))  # a plain dict: a row's mapping reads a key several times slower
        result = assign_tier(row, given.profile, given.rules, memo)
        reasons = stored_reasons(result)
        text = json.dumps(reasons)  # what the JSON column stores: compared, then written as it is
        was = row["tier_reasons"]
        same = (was == text) if isinstance(was, str) else (was == reasons)
        if result.tier != row["tier"] or not same:  # only what changed is written
            updates.append({"pid": row["id"], "tier": result.tier, "reasons": text})
    if updates:
        # the reasons go as the JSON text made above, not encoded a second time by the column's type
        # (SQLite keeps JSON as that text; PostgreSQL is told it is json)
        reasons_text = sa.bindparam("reasons", type_=sa.Text)
        if db.session.connection().dialect.name == "postgresql":
            reasons_text = sa.cast(reasons_text, table.c.tier_reasons.type)
        statement = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("pid"), owner_clause(table))
            .values(tier=sa.bindparam("tier"), tier_reasons=reasons_text)
        )
        db.session.execute(statement, updates)
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
