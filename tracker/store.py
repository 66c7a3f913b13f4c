"""What every request reads first: the current season, the applicant's profile and the tiering
rules in force, and the select of the season's live programs that callers refine.

The season a page shows is ambient: every view, export and import works on the current one.
Starting or switching seasons is tracker.seasons; this module only looks them up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from .db import db
from .layout import Layout
from .models import GridLayout, Profile, Program, RuleSet, Season
from .rules import Rules
from .tenancy import require_owner


def match_year(today: dt.date) -> int:
    """The Match an application season leads to: ERAS opens in June for the next March."""
    return today.year + 1 if today.month >= 6 else today.year


def current_season() -> Season:
    """The current season, made (for this year's Match) if there is none yet. With accounts, only
    for an applicant: with no one to own it (a visitor, an administrator) NoOwner is raised."""
    season = db.session.scalar(sa.select(Season).where(Season.current.is_(True)).limit(1))
    if season is None:
        season = db.session.scalar(sa.select(Season).order_by(Season.year.desc()).limit(1))
        if season is None:
            from .season_dates import DEFAULT_YEAR, defaults_for

            require_owner("a season")
            season = Season(year=match_year(dt.date.today()))
            season.set_dates(defaults_for(season.year), confirmed=season.year == DEFAULT_YEAR)
            db.session.add(season)
        season.current = True
        db.session.flush()
    return season


def current_season_name() -> str:
    """The current season's name ("2027 Match") for every page's header, read without making one."""
    year = db.session.scalar(sa.select(Season.year).where(Season.current.is_(True)).limit(1))
    if year is None:
        year = db.session.scalar(sa.select(sa.func.max(Season.year)))
    return f"{year if year is not None else match_year(dt.date.today())} Match"


def current_season_id() -> int:
    return current_season().id


def all_seasons() -> list[Season]:
    return list(db.session.scalars(sa.select(Season).order_by(Season.year.desc())))


def in_season(query: sa.Select, season_id: int | None = None, *, deleted: bool = False) -> sa.Select:
    """``query`` (on Program) kept to the programs of a season (default: the current one) that
    are not deleted (with ``deleted``: only those that are)."""
    season_id = season_id if season_id is not None else current_season_id()
    gone = Program.deleted_at.is_not(None) if deleted else Program.deleted_at.is_(None)
    return query.where(Program.season_id == season_id, gone)


def live_programs_select(*columns, season_id: int | None = None) -> sa.Select:
    """A select of the season's programs that are not deleted (of ``columns``, or whole
    programs), for the caller to refine, order and page."""
    return in_season(sa.select(*(columns or (Program,))), season_id)


def live_programs(season_id: int | None = None) -> list[Program]:
    """The season's programs that are not deleted, by name (every tier)."""
    query = live_programs_select(season_id=season_id).order_by(Program.name, Program.id)
    return list(db.session.scalars(query))


def live_demo_programs(season_id: int | None = None) -> list[Program]:
    """The season's demo programs still on the list (tracker.demo's fictional ones), by name."""
    query = live_programs_select(season_id=season_id).where(Program.demo.is_(True))
    return list(db.session.scalars(query.order_by(Program.name, Program.id)))


def demo_count(season_id: int | None = None) -> int:
    """How many of the season's programs on the list are demo programs."""
    query = live_programs_select(sa.func.count(), season_id=season_id).where(Program.demo.is_(True))
    return db.session.scalar(query) or 0


def season_profile(season_id: int) -> Profile | None:
    """The applicant's profile as it was in that season (None if the season has none)."""
    return db.session.scalar(sa.select(Profile).where(Profile.season_id == season_id)
                             .order_by(Profile.id).limit(1))


def current_profile() -> Profile | None:
    """The current season's profile; a profile saved before profiles were per season (no season)
    is read as the current season's until a season is started or it is saved."""
    season_id = current_season_id()
    profile = season_profile(season_id)
    if profile is None:
        profile = db.session.scalar(sa.select(Profile).where(Profile.season_id.is_(None))
                                    .order_by(Profile.id).limit(1))
    return profile


def previous_season(season: Season) -> Season | None:
    """The season before ``season`` (the latest earlier Match year), if any."""
    return db.session.scalar(sa.select(Season).where(Season.year < season.year)
                             .order_by(Season.year.desc()).limit(1))


def current_rule_set() -> RuleSet | None:
    return db.session.scalar(sa.select(RuleSet).order_by(RuleSet.id).limit(1))


def current_rules() -> Rules:
    stored = current_rule_set()
    return Rules.from_mapping(stored.values if stored else None)


def _stored_layout() -> GridLayout | None:
    return db.session.scalar(sa.select(GridLayout).order_by(GridLayout.id).limit(1))  # the owner's one


def current_layout() -> Layout:
    """The grid's layout as the person left it (the first screen until they change it)."""
    stored = _stored_layout()
    return Layout.from_stored(stored.state if stored else None)


def save_layout(layout: Layout) -> None:
    """Keep ``layout`` for the next visit. The caller commits."""
    stored = _stored_layout()
    if stored is None:
        db.session.add(GridLayout(state=layout.to_stored()))
    else:
        stored.state = layout.to_stored()


@dataclass(frozen=True)
class Inputs:
    """What a tier is computed from besides the program: read once for a batch of writes."""

    profile: Profile | None
    rules: Rules


def inputs() -> Inputs:
    return Inputs(current_profile(), current_rules())
