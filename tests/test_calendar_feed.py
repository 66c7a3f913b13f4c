"""The season calendar as iCalendar bytes (pure: no Flask, no database)."""

import datetime as dt
from types import SimpleNamespace

import icalendar

from tracker.calendar_feed import build_calendar
from tracker.rules import Rules

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
INTERVIEW = dt.datetime(2026, 11, 25, 14, 30)


def program(id=1, **values):
    base = dict(
        name="Mercy General Hospital Program (Internal Medicine)", city="Fresno", state="CA",
        website="https://mercy.example.org/im", status="interview_scheduled",
        interview_date=None, interview_format=None, interview_notes=None,
        thank_you_sent=None, follow_up_on=None, deleted_at=None,
    )
    base.update(values)
    return SimpleNamespace(id=id, **base)


def parse(body: bytes) -> icalendar.Calendar:
    assert isinstance(body, bytes)
    return icalendar.Calendar.from_ical(body)


def events(body: bytes) -> dict[str, icalendar.Event]:
    found = {str(e["UID"]): e for e in parse(body).walk("VEVENT")}
    assert len(found) == len(parse(body).walk("VEVENT")), "UIDs must be unique"
    return found


def start(event) -> dt.date | dt.datetime:
    return event.decoded("DTSTART")


def end(event) -> dt.date | dt.datetime:
    return event.decoded("DTEND")


def test_calendar_header():
    cal = parse(build_calendar([], Rules(), NOW))
    assert cal.name == "VCALENDAR"
    assert str(cal["PRODID"]) == "-//Residency Tracker//EN"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["X-WR-CALNAME"]) == "Residency interviews"
    assert cal.walk("VEVENT") == []


def test_interview_event_is_one_floating_hour_with_location_and_description():
    p = program(7, interview_date=INTERVIEW, interview_format="in_person",
                interview_notes="Ask about the J-1 waiver.", thank_you_sent=dt.date(2026, 11, 26))
    found = events(build_calendar([p], Rules(), NOW))
    assert set(found) == {"interview-7@residency-tracker"}
    event = found["interview-7@residency-tracker"]
    assert str(event["SUMMARY"]) == "Interview: Mercy General Hospital Program (Internal Medicine)"
    assert start(event) == INTERVIEW and start(event).tzinfo is None  # floating local time
    assert end(event) == INTERVIEW + dt.timedelta(hours=1)
    assert "TZID" not in event["DTSTART"].params
    assert str(event["LOCATION"]) == "Fresno, CA"
    description = str(event["DESCRIPTION"])
    assert "In person" in description
    assert "Ask about the J-1 waiver." in description
    assert "https://mercy.example.org/im" in description
    assert event.decoded("DTSTAMP") == NOW


def test_virtual_interview_location():
    p = program(interview_date=INTERVIEW, interview_format="virtual")
    event = events(build_calendar([p], Rules(), NOW))["interview-1@residency-tracker"]
    assert str(event["LOCATION"]) == "Virtual"
    assert "Virtual" in str(event["DESCRIPTION"])


def test_thank_you_window_follows_the_rules():
    p = program(3, interview_date=INTERVIEW)
    found = events(build_calendar([p], Rules(), NOW))
    thanks = found["thank-you-3@residency-tracker"]
    assert str(thanks["SUMMARY"]) == "Send thank-you: Mercy General Hospital Program (Internal Medicine)"
    assert start(thanks) == INTERVIEW + dt.timedelta(hours=24) == dt.datetime(2026, 11, 26, 14, 30)
    assert end(thanks) == INTERVIEW + dt.timedelta(hours=72) == dt.datetime(2026, 11, 28, 14, 30)
    assert start(thanks).tzinfo is None

    changed = Rules(thank_you_after_hours=12, thank_you_within_hours=48)
    thanks = events(build_calendar([p], changed, NOW))["thank-you-3@residency-tracker"]
    assert start(thanks) == INTERVIEW + dt.timedelta(hours=12)
    assert end(thanks) == INTERVIEW + dt.timedelta(hours=48)


def test_thank_you_window_stays_valid_when_overdue_comes_first():
    p = program(interview_date=INTERVIEW)
    thanks = events(build_calendar([p], Rules(thank_you_after_hours=48, thank_you_within_hours=24), NOW))[
        "thank-you-1@residency-tracker"]
    assert end(thanks) > start(thanks)


def test_no_thank_you_event_once_sent():
    p = program(interview_date=INTERVIEW, thank_you_sent=dt.date(2026, 11, 26))
    assert set(events(build_calendar([p], Rules(), NOW))) == {"interview-1@residency-tracker"}


def test_follow_up_is_an_all_day_event():
    p = program(5, follow_up_on=dt.date(2026, 12, 2))
    found = events(build_calendar([p], Rules(), NOW))
    assert set(found) == {"follow-up-5@residency-tracker"}
    event = found["follow-up-5@residency-tracker"]
    assert str(event["SUMMARY"]) == "Follow up: Mercy General Hospital Program (Internal Medicine)"
    assert start(event) == dt.date(2026, 12, 2) and not isinstance(start(event), dt.datetime)
    assert end(event) == dt.date(2026, 12, 3)  # exclusive: one day


def test_program_without_dates_has_no_events_and_deleted_programs_are_left_out():
    quiet = program(1)
    deleted = program(2, interview_date=INTERVIEW, follow_up_on=dt.date(2026, 12, 2),
                      deleted_at=dt.datetime(2026, 10, 1))
    assert events(build_calendar([quiet, deleted], Rules(), NOW)) == {}


def test_uids_are_stable_across_builds():
    programs = [
        program(1, interview_date=INTERVIEW, follow_up_on=dt.date(2026, 12, 2)),
        program(2, name="Lakeside Family Medicine", interview_date=INTERVIEW + dt.timedelta(days=3)),
    ]
    first = build_calendar(programs, Rules(), NOW)
    later = build_calendar(list(reversed(programs)), Rules(), NOW + dt.timedelta(days=1))
    assert set(events(first)) == set(events(later)) == {
        "interview-1@residency-tracker", "thank-you-1@residency-tracker", "follow-up-1@residency-tracker",
        "interview-2@residency-tracker", "thank-you-2@residency-tracker",
    }
    # The same programs make the same file, apart from the stamp.
    assert first.replace(b"20261101T120000Z", b"") == later.replace(b"20261102T120000Z", b"")


def test_awkward_text_round_trips_intact():
    name = 'St. Mary\'s, "Bronx"; IM\nPGY-1 <script>alert(1)</script> \\ end'
    notes = "Line one; with, punctuation\nLine two: <b>bold</b>"
    p = program(9, name=name, city="Winston-Salem, East", state="NC", interview_date=INTERVIEW,
                interview_notes=notes, interview_format="in_person", follow_up_on=dt.date(2026, 12, 2))
    body = build_calendar([p], Rules(), NOW)
    found = events(body)
    assert str(found["interview-9@residency-tracker"]["SUMMARY"]) == f"Interview: {name}"
    assert str(found["thank-you-9@residency-tracker"]["SUMMARY"]) == f"Send thank-you: {name}"
    assert str(found["follow-up-9@residency-tracker"]["SUMMARY"]) == f"Follow up: {name}"
    assert str(found["interview-9@residency-tracker"]["LOCATION"]) == "Winston-Salem, East, NC"
    assert notes in str(found["interview-9@residency-tracker"]["DESCRIPTION"])
    # Escaped by the library: no raw line break inside a property breaks the file's structure.
    assert b"\r\nPGY-1" not in body
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
