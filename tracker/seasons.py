"""Seasons: the current one (whose programs every view shows), and starting the next one by
copying the list without its application history, so that nothing of the old season is lost."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from . import fields
from .changes import create_program, new_batch_id
from .db import db
from .models import Profile, Program, Season

# What belongs to one season's application and starts empty in the next one.
SEASON_FIELDS = (
    "status", "email_status", "date_applied", "signal_sent", "interview_date", "interview_format",
    "interview_notes", "thank_you_sent", "loi_sent", "follow_up_on", "top_choice", "rank", "soap_list",
    "outcome", "mentor_comments", "tier_override", "tier_override_reason",
)  # fmt: skip


def match_year(today: dt.date) -> int:
    """The Match an application season leads to: ERAS opens in June for the next March."""
    return today.year + 1 if today.month >= 6 else today.year


def current_season() -> Season:
    """The current season, made (for this year's Match) if there is none yet."""
    season = db.session.scalar(sa.select(Season).where(Season.current.is_(True)).limit(1))
    if season is None:
        season = db.session.scalar(sa.select(Season).order_by(Season.year.desc()).limit(1))
        if season is None:
            season = Season(year=match_year(dt.date.today()))
            db.session.add(season)
        season.current = True
        db.session.flush()
    return season


def current_season_id() -> int:
    return current_season().id


def all_seasons() -> list[Season]:
    return list(db.session.scalars(sa.select(Season).order_by(Season.year.desc())))


def switch_to(season: Season) -> None:
    db.session.execute(sa.update(Season).values(current=False))
    season.current = True


def start_season(year: int) -> tuple[Season, int]:
    """A new current season for the ``year`` Match with a copy of the current list (every live
    program, without what belonged to last season's application). The caller commits."""
    from .tiers import inputs

    if db.session.scalar(sa.select(Season).where(Season.year == year)) is not None:
        raise ValueError(f"There is already a season for the {year} Match.")
    old = current_season()
    programs = list(db.session.scalars(
        sa.select(Program).where(Program.season_id == old.id, Program.deleted_at.is_(None)).order_by(Program.id)))
    new = Season(year=year)
    db.session.add(new)
    db.session.flush()
    switch_to(new)
    profile = db.session.scalar(sa.select(Profile).limit(1))
    if profile is not None:
        profile.season_year = year
    batch = new_batch_id()
    given = inputs()
    for program in programs:
        values = {f.key: getattr(program, f.key) for f in fields.FIELDS if f.key not in SEASON_FIELDS}
        create_program(values, source="season", batch_id=batch, tiering=given, season_id=new.id)
    return new, len(programs)
