"""The calendar page, the .ics download and the private feed."""

import datetime as dt
import html
import os
import re
import stat
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import pytest

NAME = "Riverside County Medical Center Program (Internal Medicine)"


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.data)


def summaries(cal: icalendar.Calendar) -> set[str]:
    """The programs' events (the season's own dates are test_season_dates_are_in_the_download's)."""
    return {str(e["SUMMARY"]) for e in cal.walk("VEVENT") if not str(e["UID"]).startswith("season-")}


def feed_path(client) -> str:
    """The feed address the calendar page shows, as a path for the test client."""
    page = client.get("/calendar")
    assert page.status_code == 200
    url = html.unescape(re.search(r'id="feed-url"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1))
    parts = urlsplit(url)
    assert parts.scheme == "http" and parts.path.startswith("/calendar/") and parts.path.endswith(".ics")
    return parts.path


@pytest.fixture
def seeded(make_program):
    return make_program(name=NAME, city="Riverside", state="CA", interview_date="2026-11-25 14:30",
                        interview_format="in_person", follow_up_on="2026-12-02")


def test_download_holds_the_seeded_interview(client, seeded):
    response = client.get("/calendar.ics")
    assert response.headers["Content-Disposition"] == 'attachment; filename="residency-calendar.ics"'
    cal = parse(response)
    assert str(cal["X-WR-CALNAME"]) == "Residency interviews"
    assert summaries(cal) == {f"Interview: {NAME}", f"Send thank-you: {NAME}", f"Follow up: {NAME}"}
    interview = next(e for e in cal.walk("VEVENT") if str(e["UID"]) == f"interview-{seeded}@residency-tracker")
    assert interview.decoded("DTSTART") == dt.datetime(2026, 11, 25, 14, 30)
    assert str(interview["LOCATION"]) == "Riverside, CA"


def test_season_dates_are_in_the_download(app, client, seeded):
    from zoneinfo import ZoneInfo

    from tracker.db import db
    from tracker.models import Season
    from tracker.season_dates import DEFAULTS_2026

    with app.app_context():  # the 2026 Match's calendar on the current season
        season = db.session.scalar(db.select(Season).where(Season.current.is_(True)))
        season.year = 2026
        season.set_dates(DEFAULTS_2026, confirmed=True)
        db.session.commit()
    cal = parse(client.get("/calendar.ics"))
    season = {str(e["UID"]).split("@")[0].rsplit("-", 1)[0]: e for e in cal.walk("VEVENT")
              if str(e["UID"]).startswith("season-")}
    assert len(season) == 8
    deadline = season["season-rank_deadline"].decoded("DTSTART")
    assert deadline.tzinfo is not None and deadline.replace(tzinfo=None) == dt.datetime(2026, 2, 25, 21, 0)
    assert deadline.utcoffset() == dt.datetime(2026, 2, 25, 21, tzinfo=ZoneInfo("America/New_York")).utcoffset()
    assert "TZID=America/New_York" in client.get("/calendar.ics").get_data(as_text=True)
    assert season["season-match_day"].decoded("DTSTART") == dt.date(2026, 3, 20)
    week = season["season-match_week"]
    assert (week.decoded("DTSTART"), week.decoded("DTEND")) == (dt.date(2026, 3, 16), dt.date(2026, 3, 21))
    assert season["season-eras_opens"].decoded("DTSTART") == dt.date(2025, 9, 3)


def test_thank_you_leaves_once_sent(client, seeded):
    response = client.post(f"/programs/{seeded}/cells/thank_you_sent", data={"value": "2026-11-26", "version": 1})
    assert response.status_code == 200
    assert summaries(parse(client.get("/calendar.ics"))) == {f"Interview: {NAME}", f"Follow up: {NAME}"}


def test_page_shows_a_feed_url_that_works(client, seeded):
    page = client.get("/calendar").get_data(as_text=True)
    assert "Make a new link" in page
    assert 'name="csrf_token"' in page
    assert "1 interview," in page
    path = feed_path(client)
    assert feed_path(client) == path  # the same address on every visit
    cal = parse(client.get(path))
    assert f"Interview: {NAME}" in summaries(cal)


def test_page_has_no_inline_script_or_style(client, seeded):
    page = client.get("/calendar").get_data(as_text=True)
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_wrong_token_is_404(client, seeded):
    path = feed_path(client)
    token = path[len("/calendar/"):-len(".ics")]
    for wrong in ("nope", token[:-1], token + "x", token.upper() if token.upper() != token else token.lower(),
                  "%C3%A9t%C3%A9"):
        assert client.get(f"/calendar/{wrong}.ics").status_code == 404, wrong


def test_token_file_is_private(app, client):
    feed_path(client)
    token_file = Path(app.instance_path) / "calendar_token"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    assert len(token_file.read_text().strip()) >= 32
    assert [p.name for p in Path(app.instance_path).iterdir() if "calendar_token" in p.name] == ["calendar_token"]


def test_new_link_ends_the_old_one(client, seeded):
    old = feed_path(client)
    response = client.post("/calendar/token")
    assert response.status_code == 302 and response.headers["Location"].endswith("/calendar")
    page = client.get("/calendar").get_data(as_text=True)
    assert "Made a new calendar link" in page
    new = feed_path(client)
    assert new != old
    assert client.get(old).status_code == 404
    assert f"Interview: {NAME}" in summaries(parse(client.get(new)))


def test_the_page_form_regenerates_with_its_own_token(client, seeded):
    old = feed_path(client)
    page = client.get("/calendar").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/calendar/token", data={"csrf_token": token}, csrf=False)
    assert response.status_code == 302
    assert client.get(old).status_code == 404


def test_new_link_without_csrf_is_refused(client, seeded):
    old = feed_path(client)
    response = client.post("/calendar/token", csrf=False)
    assert response.status_code == 400
    assert feed_path(client) == old
    assert client.get(old).status_code == 200


def test_deleted_programs_are_not_in_the_calendar(client, make_program, seeded):
    other = make_program(name="Lakeside Family Medicine", interview_date="2026-12-01 09:00",
                         follow_up_on="2026-12-05")
    assert "Interview: Lakeside Family Medicine" in summaries(parse(client.get("/calendar.ics")))
    assert client.post(f"/programs/{other}/delete").status_code in (302, 303)
    for cal in (parse(client.get("/calendar.ics")), parse(client.get(feed_path(client)))):
        assert not any("Lakeside" in s for s in summaries(cal))
        assert f"Interview: {NAME}" in summaries(cal)
