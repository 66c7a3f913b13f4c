"""Which programs a view shows (the grid, an export): the filters in its query string, the
rows from the database, and the summary an export carries."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

import sqlalchemy as sa

from . import fields
from .db import db
from .exporting import Summary, effective_tier
from .guidance import application_targets
from .models import Change, Program
from .rules import TIERS
from .tiers import current_profile, current_rules, effective_tier_column

# Not eligible programs are hidden until the user asks to see them.
DEFAULT_TIERS = tuple(t for t in TIERS if t != "not_eligible")


def shown_tiers(args: Any) -> tuple[str, ...]:
    """The tiers a view shows, from its query string (?tier=likely&tier=reach, ?tier=all)."""
    asked = args.getlist("tier") if hasattr(args, "getlist") else args.get("tier", [])
    if not asked:
        return DEFAULT_TIERS
    return tuple(t for t in TIERS if t in asked or "all" in asked)


def shown_columns(args: Any) -> list[fields.Field]:
    """The catalogue columns a view shows (?col=name&col=state...); all when none are named."""
    asked = args.getlist("col") if hasattr(args, "getlist") else args.get("col", [])
    chosen = [f for f in fields.FIELDS if f.key in asked]
    return chosen or list(fields.FIELDS)


def live_programs(tiers: Iterable[str] | None = None) -> list[Program]:
    """The current season's programs that are not deleted, by name; only ``tiers`` if given."""
    from .seasons import current_season_id

    query = sa.select(Program).where(Program.deleted_at.is_(None), Program.season_id == current_season_id())
    if tiers is not None:
        tier = effective_tier_column()
        query = query.where(tier.in_(list(tiers)) | tier.is_(None))
    return list(db.session.scalars(query.order_by(Program.name, Program.id)))


def export_summary(rows: list[Program]) -> Summary:
    profile = current_profile()
    lines: list[tuple[str, str]] = []
    if profile is not None:
        specialty = fields.get("specialty")
        lines = [
            ("Visa needed", profile.visa_needed or "not set"),
            ("Step 1", profile.step1 or "not set"),
            ("Step 2 CK", str(profile.step2_ck) if profile.step2_ck else "not set"),
            ("Attempts (Step 1 / Step 2 CK)", f"{profile.step1_attempts or '?'} / {profile.step2_attempts or '?'}"),
            ("Step 3", str(profile.step3) if profile.step3 else "not taken"),
            ("Graduated", str(profile.graduation_year or "not set")),
            ("Match year", str(profile.season_year or "not set")),
            ("US clinical experience (months)", str(profile.usce_months if profile.usce_months is not None else "?")),
            ("Target specialties", ", ".join(specialty.label_for(s) for s in profile.target_specialties) or "not set"),
        ]
    by_tier = Counter({t: 0 for t in TIERS})
    by_tier.update(effective_tier(p) for p in rows if effective_tier(p))
    live_not_excluded = Counter(p.specialty for p in rows if effective_tier(p) != "not_eligible")
    targets = []
    for target in application_targets(profile, current_rules(), dict(live_not_excluded)):
        advised = "every eligible program" if target.high is None else f"{target.low}–{target.high}"
        targets.append((target.label, advised, live_not_excluded.get(target.specialty, 0)))
    return Summary(
        profile_lines=lines,
        by_tier=dict(by_tier),
        by_status=dict(Counter(p.status for p in rows).most_common()),
        by_specialty=dict(Counter(p.specialty for p in rows).most_common()),
        by_setting=dict(Counter(p.setting for p in rows).most_common()),
        targets=targets,
    )


def change_mark() -> int:
    """The newest change-log entry: an export records it to spot later edits."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Change.id), 0)))
