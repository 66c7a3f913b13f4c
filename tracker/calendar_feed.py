"""The season's calendar as iCalendar (RFC 5545): interviews, thank-you windows, follow-ups.

Pure: no Flask, no database. ``season_events`` says what the calendar holds;
``build_calendar`` turns it into the bytes of a .ics file with the ``icalendar`` library,
which does every escape, line fold and date format (nothing here is escaped by hand).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from zoneinfo import ZoneInfo

import icalendar

from . import fields, season_dates
from .readings import FIRST_YEAR, LAST_YEAR
from .rules import Rules

PRODID = "-//Residency Tracker//EN"
CALENDAR_NAME = "Residency interviews"
UID_DOMAIN = "residency-tracker"
INTERVIEW_LENGTH = dt.timedelta(hours=1)
# Calendar apps that subscribe to the feed may re-read it this often (a hint; most use their own).
REFRESH = dt.timedelta(hours=1)


@dataclass(frozen=True)
class SeasonEvent:
    kind: str  # "interview", "thank-you", "follow-up", or "season-<date>" (tracker.season_dates.KEYS)
    program_id: int
    summary: str
    # A naive datetime is a floating local time; a date is an all-day event.
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    description: str = ""
    location: str = ""
    url: str = ""
    busy: bool = True

    @property
    def uid(self) -> str:
        """The same for a program's event of a kind in every build, so that a calendar app
        that reads the feed again updates the event instead of adding a second one."""
        return f"{self.kind}-{self.program_id}@{UID_DOMAIN}"


def _label(key: str, value: Any) -> str:
    return fields.get(key).label_for(value) if value else ""


def _location(program: Any) -> str:
    if program.interview_format == "virtual":
        return "Virtual"
    return ", ".join(part for part in (program.city, program.state) if part)


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%a %d %b %Y, %H:%M")


def _expressible(*moments: dt.date) -> bool:
    """Whether every moment is in the years a date can be typed in (readings.FIRST_YEAR to
    LAST_YEAR): an older tracker or a restored backup may hold 9999-12-31, past which no end of
    an event can be written (and calendar apps would stop syncing the whole feed)."""
    return all(FIRST_YEAR <= m.year <= LAST_YEAR for m in moments)


SEASON_SUMMARIES = {
    "eras_opens": "ERAS opens: apply on the first day",
    "programs_review": "Programs start reviewing applications (MSPE release)",
    "nrmp_opens": "NRMP registration opens",
    "nrmp_early_deadline": "NRMP early registration deadline",
    "ranking_opens": "Ranking opens",
    "rank_deadline": "Rank-list deadline (9 pm ET)",
    "match_week": "Match Week (SOAP)",
    "match_day": "Match Day",
}
RANK_DEADLINE_LENGTH = dt.timedelta(minutes=30)


def date_events(dates: season_dates.SeasonDates | None, year: int) -> list[SeasonEvent]:
    """One event per date of the season's calendar: all-day events, Match Week its five days,
    and the rank-list deadline a timed event at its time in America/New_York."""
    if dates is None:
        return []
    events = []
    for key in season_dates.KEYS:
        when = getattr(dates, key)
        if key == "rank_deadline":
            start = when.replace(tzinfo=ZoneInfo(season_dates.EASTERN))
            end = start + RANK_DEADLINE_LENGTH
        else:
            start = when
            end = when + dt.timedelta(days=5 if key == "match_week" else 1)  # DTEND exclusive
        events.append(SeasonEvent(kind=f"season-{key}", program_id=year, summary=SEASON_SUMMARIES[key],
                                  start=start, end=end, description=season_dates.LABELS[key] + ".", busy=False))
    return events


def season_events(programs: Iterable[Any], rules: Rules, dates: season_dates.SeasonDates | None = None,
                  year: int = 0) -> list[SeasonEvent]:
    """Every event of the live ``programs`` and of the season's ``dates`` (of the ``year`` Match),
    in the order a calendar would list them. A date outside the years the tracker reads (see
    ``_expressible``) has no event."""
    events: list[SeasonEvent] = date_events(dates, year)
    due_after = dt.timedelta(hours=rules.thank_you_after_hours)
    overdue_after = dt.timedelta(hours=rules.thank_you_within_hours)
    for p in programs:
        if getattr(p, "deleted_at", None) is not None:
            continue
        website = p.website or ""
        interview = p.interview_date
        if interview is not None and _expressible(interview):
            # Interview times are stored naive, in the applicant's own local time, so they are
            # written as floating times (no TZID, no Z): a calendar app shows them at that
            # clock time wherever it is, which is what was typed in.
            interview = interview.replace(tzinfo=None)
            lines = []
            if p.interview_format:
                lines.append(f"Format: {_label('interview_format', p.interview_format)}")
            if p.status:
                lines.append(f"Status: {_label('status', p.status)}")
            if website:
                lines.append(f"Website: {website}")
            if p.interview_notes:
                lines += ["", "Notes:", p.interview_notes]
            events.append(SeasonEvent(
                kind="interview", program_id=p.id, summary=f"Interview: {p.name}",
                start=interview, end=interview + INTERVIEW_LENGTH,
                description="\n".join(lines), location=_location(p), url=website,
            ))
            if p.thank_you_sent is None and _expressible(interview + overdue_after, interview + due_after):
                start = interview + due_after
                end = interview + overdue_after
                if end <= start:  # rules where "overdue" comes first: keep the event valid
                    end = start + INTERVIEW_LENGTH
                events.append(SeasonEvent(
                    kind="thank-you", program_id=p.id, summary=f"Send thank-you: {p.name}",
                    start=start, end=end,
                    description=(
                        f"Interview: {_when(interview)}.\n"
                        f"A thank-you email is due from {rules.thank_you_after_hours} hours after the "
                        f"interview and overdue after {rules.thank_you_within_hours} hours.\n"
                        "Enter the date you send it in the tracker's Thank-you sent column and this "
                        "event leaves the calendar."
                        + (f"\nWebsite: {website}" if website else "")
                    ),
                    url=website, busy=False,
                ))
        if p.follow_up_on is not None and _expressible(p.follow_up_on):
            day = p.follow_up_on
            if isinstance(day, dt.datetime):
                day = day.date()
            lines = []
            if p.status:
                lines.append(f"Status: {_label('status', p.status)}")
            if website:
                lines.append(f"Website: {website}")
            events.append(SeasonEvent(
                kind="follow-up", program_id=p.id, summary=f"Follow up: {p.name}",
                start=day, end=day + dt.timedelta(days=1),  # DTEND of an all-day event is exclusive
                description="\n".join(lines), url=website, busy=False,
            ))
    order = {"interview": 0, "thank-you": 1, "follow-up": 2}

    def sort_key(e: SeasonEvent):
        start = e.start if isinstance(e.start, dt.datetime) else dt.datetime.combine(e.start, dt.time())
        return (start.replace(tzinfo=None), order.get(e.kind, 3), e.program_id)

    return sorted(events, key=sort_key)


def _utc(moment: dt.datetime) -> dt.datetime:
    """A UTC datetime (naive ones are taken as UTC, as the models store them)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC, microsecond=0)
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def build_calendar(programs: Iterable[Any], rules: Rules, now: dt.datetime,
                   dates: season_dates.SeasonDates | None = None, year: int = 0) -> bytes:
    """The .ics file of the live ``programs``' season events and the season's ``dates``; ``now``
    is its DTSTAMP."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", CALENDAR_NAME)
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH))  # an X- property is text unless told
    cal.add("refresh-interval", icalendar.vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    stamp = _utc(now)
    for e in season_events(programs, rules, dates, year):
        event = icalendar.Event()
        event.add("uid", e.uid)
        event.add("dtstamp", stamp)
        event.add("summary", e.summary)
        event.add("dtstart", e.start)
        event.add("dtend", e.end)
        if e.location:
            event.add("location", e.location)
        if e.description:
            event.add("description", e.description)
        if e.url:
            event.add("url", e.url)
        event.add("transp", "OPAQUE" if e.busy else "TRANSPARENT")
        cal.add_component(event)
    cal.add_missing_timezones()  # the VTIMEZONE of America/New_York, for the rank-list deadline
    return cal.to_ical()
