"""Starting the next season by copying the list without its application history, so that
nothing of the old season is lost, and switching between seasons. (Which season is current
is tracker.store.)"""

from __future__ import annotations

import sqlalchemy as sa

from . import fields
from .season_dates import defaults_for, shifted
from .changes import create_program, new_batch_id
from .db import db
from .models import Profile, Program, Season
from .store import current_profile, current_season, inputs, live_programs_select

# What a profile holds besides its identity and its season: copied into a new season.
_NOT_COPIED = {"id", "season_id", "updated_at"}


def switch_to(season: Season) -> None:
    """Make ``season`` the current one: its list and its profile are shown again. The caller
    re-tiers (tracker.tiers.retier_all) and commits."""
    db.session.execute(sa.update(Season).values(current=False))
    season.current = True
    db.session.flush()


def copy_profile(profile: Profile, season: Season) -> Profile:
    """A copy of ``profile`` for ``season`` (its season_year that season's Match)."""
    values = {c.key: getattr(profile, c.key) for c in Profile.__table__.columns if c.key not in _NOT_COPIED}
    for key, value in values.items():
        if isinstance(value, (list, dict)):
            values[key] = type(value)(value)
    values["season_year"] = season.year
    copy = Profile(season_id=season.id, **values)
    db.session.add(copy)
    return copy


def start_season(year: int) -> tuple[Season, int]:
    """A new current season for the ``year`` Match with a copy of the current list (every live
    program, without the fields of last season's application: ``Field.per_season``), of the
    profile (the old season keeps its own), and the current season's dates shifted to its year,
    to confirm (tracker.season_dates.shifted). The caller commits."""
    if db.session.scalar(sa.select(Season).where(Season.year == year)) is not None:
        raise ValueError(f"There is already a season for the {year} Match.")
    old = current_season()
    profile = current_profile()
    if profile is not None and profile.season_id is None:
        profile.season_id = old.id  # a profile from before profiles were per season: the old season's
    programs = list(db.session.scalars(live_programs_select(season_id=old.id).order_by(Program.id)))
    new = Season(year=year)
    # the previous season's dates a year on, to the same weekdays, until the user confirms them
    previous = old.dates
    new.set_dates(shifted(previous, year - old.year) if previous else defaults_for(year), confirmed=False)
    db.session.add(new)
    db.session.flush()
    if profile is not None:
        copy_profile(profile, new)
    switch_to(new)
    batch = new_batch_id()
    given = inputs()
    for program in programs:
        values = {f.key: getattr(program, f.key) for f in fields.FIELDS if not f.per_season}
        create_program(values, source="season", batch_id=batch, tiering=given, season_id=new.id,
                       demo=program.demo)
    return new, len(programs)
