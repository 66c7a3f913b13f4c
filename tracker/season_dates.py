"""The season's calendar as ERAS and the NRMP run it: the day applicants may submit, the day
programs start reviewing (and the MSPE is released), NRMP registration and its early deadline,
ranking, the rank-list deadline (9 pm US Eastern), Match Week (SOAP runs in it) and Match Day.
A season holds its own dates (tracker.models.Season); a new season starts with the previous
one's shifted by a year to the same weekdays (Match Day: the third Friday of March). Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any

EASTERN = "America/New_York"
RANK_DEADLINE_TIME = dt.time(21, 0)  # 9 pm Eastern


@dataclass(frozen=True)
class SeasonDates:
    eras_opens: dt.date  # applicants may submit
    programs_review: dt.date  # programs start reviewing; MSPE release
    nrmp_opens: dt.date
    nrmp_early_deadline: dt.date
    ranking_opens: dt.date
    rank_deadline: dt.datetime  # naive, US Eastern
    match_week: dt.date  # Monday; SOAP runs in it
    match_day: dt.date


KEYS = tuple(f.name for f in fields(SeasonDates))

LABELS = {
    "eras_opens": "ERAS opens: applicants may submit",
    "programs_review": "Programs start reviewing (MSPE release)",
    "nrmp_opens": "NRMP registration opens",
    "nrmp_early_deadline": "NRMP early registration deadline",
    "ranking_opens": "Ranking opens",
    "rank_deadline": "Rank-list deadline (9 pm ET)",
    "match_week": "Match Week and SOAP start",
    "match_day": "Match Day",
}

# The 2026 Match (ERAS 2026 and the NRMP's 2026 Main Residency Match calendar).
DEFAULTS_2026 = SeasonDates(
    eras_opens=dt.date(2025, 9, 3),
    programs_review=dt.date(2025, 9, 24),
    nrmp_opens=dt.date(2025, 9, 15),
    nrmp_early_deadline=dt.date(2025, 12, 31),
    ranking_opens=dt.date(2026, 1, 15),
    rank_deadline=dt.datetime(2026, 2, 25, 21, 0),
    match_week=dt.date(2026, 3, 16),
    match_day=dt.date(2026, 3, 20),
)
DEFAULT_YEAR = 2026


def third_friday_of_march(year: int) -> dt.date:
    first = dt.date(year, 3, 1)
    return first + dt.timedelta(days=(4 - first.weekday()) % 7 + 14)


def same_weekday_years_later(day: dt.date, years: int) -> dt.date:
    """The day of the same weekday nearest to ``day`` moved by ``years`` years."""
    try:
        target = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        target = day.replace(year=day.year + years, day=28)
    shift = (day.weekday() - target.weekday() + 3) % 7 - 3  # -3..3
    return target + dt.timedelta(days=shift)


def shifted(dates: SeasonDates, years: int = 1) -> SeasonDates:
    """``dates`` moved by ``years`` Match years: each date to the same weekday; Match Day the
    third Friday of March, Match Week its Monday."""
    if years == 0:
        return dates
    match_day = third_friday_of_march(dates.match_day.year + years)
    deadline = same_weekday_years_later(dates.rank_deadline.date(), years)
    return SeasonDates(
        eras_opens=same_weekday_years_later(dates.eras_opens, years),
        programs_review=same_weekday_years_later(dates.programs_review, years),
        nrmp_opens=same_weekday_years_later(dates.nrmp_opens, years),
        nrmp_early_deadline=same_weekday_years_later(dates.nrmp_early_deadline, years),
        ranking_opens=same_weekday_years_later(dates.ranking_opens, years),
        rank_deadline=dt.datetime.combine(deadline, dates.rank_deadline.time()),
        match_week=match_day - dt.timedelta(days=match_day.weekday()),
        match_day=match_day,
    )


def defaults_for(year: int) -> SeasonDates:
    """The dates a season of the ``year`` Match starts with when no earlier season has any."""
    return shifted(DEFAULTS_2026, year - DEFAULT_YEAR)


def from_row(row: Any) -> SeasonDates | None:
    """The dates a season row holds, or None when it lacks any."""
    values = {key: getattr(row, key, None) for key in KEYS}
    if any(v is None for v in values.values()):
        return None
    return SeasonDates(**values)


def problems(dates: SeasonDates, year: int) -> dict[str, str]:
    """What is impossible about ``dates`` for the ``year`` Match, by key; empty when nothing is."""
    errors: dict[str, str] = {}
    first, last = dt.date(year - 1, 1, 1), dt.date(year, 12, 31)
    for key in KEYS:
        value = getattr(dates, key)
        day = value.date() if isinstance(value, dt.datetime) else value
        if not first <= day <= last:
            errors[key] = f"{LABELS[key]} must be in {year - 1} or {year}, for the {year} Match."
    if errors:
        return errors

    def before(a: str, b: str, message: str) -> None:
        da, db_ = getattr(dates, a), getattr(dates, b)
        da = da.date() if isinstance(da, dt.datetime) else da
        db_ = db_.date() if isinstance(db_, dt.datetime) else db_
        if da > db_ and b not in errors:
            errors[b] = message

    before("eras_opens", "programs_review", "Programs can't start reviewing before applicants may submit.")
    before("nrmp_opens", "nrmp_early_deadline", "The early registration deadline can't be before registration opens.")
    before("ranking_opens", "rank_deadline", "The rank-list deadline can't be before ranking opens.")
    before("rank_deadline", "match_week", "Match Week can't start before the rank-list deadline.")
    if dates.rank_deadline.date() > dates.match_day and "rank_deadline" not in errors:
        errors["rank_deadline"] = "The rank-list deadline can't be after Match Day."
    if not dates.match_week <= dates.match_day <= dates.match_week + dt.timedelta(days=6) \
            and "match_day" not in errors:
        errors["match_day"] = "Match Day falls in Match Week: within six days after it starts."
    return errors


@dataclass(frozen=True)
class Near:
    key: str
    when: dt.date | dt.datetime
    days: int  # from today: 0 is today
    text: str


def _day(value: dt.date) -> str:
    return f"{value:%-d %B}"


def _clock(when: dt.date | dt.datetime) -> str:
    """The deadline's time as the NRMP writes it ("9 pm ET", "11:59 pm ET"): the one kept on the dates page."""
    moment = when.time() if isinstance(when, dt.datetime) else RANK_DEADLINE_TIME
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'pm' if moment.hour >= 12 else 'am'} ET"


def _in(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def text_for(key: str, when: dt.date | dt.datetime, days: int) -> str:
    day = when.date() if isinstance(when, dt.datetime) else when
    if key == "eras_opens":
        return ("ERAS opens today: apply on the first day ERAS opens." if days == 0 else
                f"Apply on the first day ERAS opens ({_day(day)}, {_in(days)}): have your application ready.")
    if key == "programs_review":
        return f"Programs start reviewing applications on {_day(day)} ({_in(days)}); the MSPE is released then too."
    if key == "nrmp_opens":
        return f"NRMP registration opens {_in(days)} ({_day(day)}): register for the Match as well as ERAS."
    if key == "nrmp_early_deadline":
        return f"NRMP early registration deadline {_in(days)} ({_day(day)}): after it, a late fee."
    if key == "ranking_opens":
        return f"Ranking opens {_in(days)} ({_day(day)})."
    if key == "rank_deadline":
        return f"Rank-list deadline {_in(days)} ({_day(day)}, {_clock(when)}): certify your rank list."
    if key == "match_week":
        return f"Match Week starts {_in(days)} ({_day(day)}); SOAP runs in it."
    return f"Match Day {_in(days)} ({_day(day)})."


def near(dates: SeasonDates | None, today: dt.date, window_days: int) -> list[Near]:
    """The season's dates from ``today`` to ``window_days`` days ahead (both ends in), soonest first."""
    if dates is None:
        return []
    found = []
    for key in KEYS:
        when = getattr(dates, key)
        day = when.date() if isinstance(when, dt.datetime) else when
        days = (day - today).days
        if 0 <= days <= window_days:
            found.append(Near(key, when, days, text_for(key, when, days)))
    return sorted(found, key=lambda n: (n.days, KEYS.index(n.key)))


def days_until(dates: SeasonDates | None, key: str, today: dt.date) -> int | None:
    if dates is None:
        return None
    when = getattr(dates, key)
    day = when.date() if isinstance(when, dt.datetime) else when
    return (day - today).days


def with_values(dates: SeasonDates, **values: Any) -> SeasonDates:
    return replace(dates, **values)
