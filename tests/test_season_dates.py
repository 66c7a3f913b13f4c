"""The season's calendar (tracker.season_dates), its page under Seasons, what Today shows of it, and
the communications the articles ask for: invitations within 48 hours, the letter of interest to the
top choice, the SOAP list before Match Week, a brief email where the applicant has ties."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tracker import season_dates as sd
from tracker.db import db
from tracker.models import Season
from tracker.reminders import invitation_detail, season_has_started, todays_list
from tracker.rules import Rules

D = sd.DEFAULTS_2026
H = dt.timedelta(hours=1)


def program(pid, **values):
    known = {"visa_j1": "yes", "visa_h1b": "yes", "img_percent": 30}
    return {"id": pid, "name": f"Program {pid}", "version": 1, "status": "researching", **known, **values}


# -- the dates ---------------------------------------------------------------------------------

def test_the_2026_defaults():
    assert D.eras_opens == dt.date(2025, 9, 3) and D.programs_review == dt.date(2025, 9, 24)
    assert (D.nrmp_opens, D.nrmp_early_deadline) == (dt.date(2025, 9, 15), dt.date(2025, 12, 31))
    assert D.ranking_opens == dt.date(2026, 1, 15)
    assert D.rank_deadline == dt.datetime(2026, 2, 25, 21, 0)
    assert (D.match_week, D.match_day) == (dt.date(2026, 3, 16), dt.date(2026, 3, 20))
    assert sd.problems(D, 2026) == {}


@pytest.mark.parametrize("year, day", [(2026, 20), (2027, 19), (2028, 17), (2029, 16), (2031, 21)])
def test_match_day_is_the_third_friday_of_march(year, day):
    assert sd.third_friday_of_march(year) == dt.date(year, 3, day)
    shifted = sd.shifted(D, year - 2026)
    assert shifted.match_day == dt.date(year, 3, day) and shifted.match_week == dt.date(year, 3, day - 4)
    assert sd.problems(shifted, year) == {}


def test_a_year_on_keeps_each_weekday():
    nxt = sd.shifted(D)
    for key in sd.KEYS:
        old, new = getattr(D, key), getattr(nxt, key)
        assert new.weekday() == old.weekday(), key
        assert abs((new - old).days - 365) <= 3, key
    assert nxt.eras_opens == dt.date(2026, 9, 2)  # a Wednesday, as 3 September 2025
    assert nxt.rank_deadline == dt.datetime(2027, 2, 24, 21, 0)


def test_impossible_dates_are_named():
    late = sd.with_values(D, rank_deadline=dt.datetime(2026, 3, 21, 21, 0))
    errors = sd.problems(late, 2026)
    assert "rank_deadline" in errors and "after Match Day" in errors["rank_deadline"]
    assert "programs_review" in sd.problems(sd.with_values(D, programs_review=dt.date(2025, 9, 2)), 2026)
    assert sd.problems(sd.with_values(D, programs_review=dt.date(2025, 9, 3)), 2026) == {}  # the same day is fine
    assert "match_day" in sd.problems(sd.with_values(D, match_day=dt.date(2026, 3, 23)), 2026)
    assert "eras_opens" in sd.problems(sd.with_values(D, eras_opens=dt.date(2024, 12, 31)), 2026)


@pytest.mark.parametrize("today, shown", [
    (dt.date(2026, 2, 10), False),  # 15 days before the rank-list deadline
    (dt.date(2026, 2, 11), True),  # 14: the window's first day
    (dt.date(2026, 2, 25), True),  # the day itself
    (dt.date(2026, 2, 26), False),  # the day after
])
def test_a_date_shows_within_the_window(today, shown):
    keys = [n.key for n in sd.near(D, today, Rules().season_date_window_days)]
    assert ("rank_deadline" in keys) is shown


def test_the_words_of_what_is_near():
    texts = {n.key: n.text for n in sd.near(D, dt.date(2026, 2, 20), 14)}
    assert texts["rank_deadline"] == "Rank-list deadline in 5 days (25 February, 9 pm ET): certify your rank list."
    assert "match_week" not in texts  # 24 days ahead: past the window
    later = dt.datetime.combine(D.rank_deadline.date(), dt.time(23, 59), tzinfo=D.rank_deadline.tzinfo)
    assert "(25 February, 11:59 pm ET)" in sd.text_for("rank_deadline", later, 5)  # a time edited on the dates page
    early = {n.key: n.text for n in sd.near(D, dt.date(2025, 9, 1), 14)}
    assert early["eras_opens"].startswith("Apply on the first day ERAS opens (3 September, in 2 days)")
    review = {n.key: n.text for n in sd.near(D, dt.date(2025, 9, 12), 14)}
    assert review["programs_review"] == ("Programs start reviewing applications on 24 September (in 12 days); the "
                                         "MSPE is released then too.")
    assert sd.near(D, dt.date(2025, 9, 3), 0)[0].text == "ERAS opens today: apply on the first day ERAS opens."
    assert [n.key for n in sd.near(D, dt.date(2025, 9, 1), Rules(season_date_window_days=1).season_date_window_days)] == []


@pytest.mark.parametrize("today, started", [
    (dt.date(2025, 9, 2), False), (dt.date(2025, 9, 3), True), (dt.date(2026, 3, 31), True), (dt.date(2026, 4, 1), False)])
def test_the_season_starts_when_eras_opens(today, started):
    assert season_has_started(today, 2026, Rules(), D.eras_opens) is started


# -- the communications ------------------------------------------------------------------------

NOW = dt.datetime(2026, 1, 28, 12, 0)


@pytest.mark.parametrize("hours, state", [(40, "due"), (47, "due"), (48, "overdue"), (49, "overdue")])
def test_an_invitation_is_answered_within_48_hours(hours, state):
    got, detail = invitation_detail(NOW - hours * H, NOW, Rules())
    assert got == state and f"{hours} hours old" in detail and "48 hours" in detail
    if hours == 40:
        assert detail.startswith("Invitation 40 hours old: answer now.")


def test_the_48_hours_are_a_rule():
    assert invitation_detail(NOW - 30 * H, NOW, Rules(invitation_answer_hours=24))[0] == "overdue"


def test_an_invitation_without_its_moment_still_asks_for_an_answer():
    items = todays_list([program(1, status="interview_invited")], NOW)
    assert items.invitation[0].state == "due" and "at least 48 hours" in items.invitation[0].detail


TOP = dict(status="interviewed", top_choice="yes", interview_date=dt.datetime(2026, 1, 20, 9, 0))


def test_the_letter_to_the_top_choice_between_the_last_interview_and_the_rank_deadline():
    rows = [program(1, **TOP), program(2, status="interviewed", interview_date=dt.datetime(2026, 1, 10, 9))]
    items = todays_list(rows, NOW, dates=D)
    assert [i.program_id for i in items.letter] == [1]
    assert items.letter[0].detail.startswith("Consider sending a sincere, specific letter of interest (or later a "
                                             "letter of intent)")
    # an interview still ahead: not yet
    later = rows + [program(3, status="interview_scheduled", interview_date=dt.datetime(2026, 2, 2, 9))]
    assert todays_list(later, NOW, dates=D).letter == []
    # a letter recorded: gone
    assert todays_list([program(1, **TOP, loi_sent=dt.date(2026, 1, 25))], NOW, dates=D).letter == []
    # the rank-list deadline's day is in, the day after out
    assert todays_list(rows, dt.datetime(2026, 2, 25, 20, 0), dates=D).letter
    assert todays_list(rows, dt.datetime(2026, 2, 26, 8, 0), dates=D).letter == []


@pytest.mark.parametrize("day, shown", [
    (dt.date(2026, 3, 1), False),  # 15 days before Match Week
    (dt.date(2026, 3, 2), True),  # 14 days
    (dt.date(2026, 3, 16), True),  # its first day
    (dt.date(2026, 3, 17), False),
])
def test_the_soap_list_before_match_week(day, shown):
    now = dt.datetime.combine(day, dt.time(9))
    assert todays_list([program(1, status="interviewed")], now, dates=D).soap_list_missing is shown
    assert todays_list([program(1, soap_list="yes")], now, dates=D).soap_list_missing is False


def test_a_brief_email_where_you_have_ties_once():
    rows = [program(1, status="applied", ties=["rotated"]),
            program(2, status="applied", ties=["alumni"], email_status="intro_sent"),  # contacted: gone
            program(3, status="will_apply", ties=["contact"]),  # not applied yet
            program(4, status="applied")]  # no ties
    items = todays_list(rows, NOW)
    assert [i.program_id for i in items.ties_email] == [1]
    assert "rotated here" in items.ties_email[0].detail


# -- the web -----------------------------------------------------------------------------------

def _current(app, year=2026, dates=D, confirmed=True):
    with app.app_context():
        season = db.session.scalar(sa.select(Season).where(Season.current.is_(True)))
        if season is None:
            from tracker.store import current_season

            season = current_season()
        season.year = year
        season.set_dates(dates, confirmed=confirmed)
        db.session.commit()
        return season.id


FORM = {"eras_opens": "2025-09-03", "programs_review": "2025-09-24", "nrmp_opens": "2025-09-15",
        "nrmp_early_deadline": "2025-12-31", "ranking_opens": "2026-01-15", "rank_deadline": "2026-02-25",
        "rank_deadline_time": "21:00", "match_week": "2026-03-16", "match_day": "2026-03-20"}


def test_the_dates_page_refuses_a_rank_deadline_after_match_day(app, client):
    sid = _current(app, confirmed=False)
    page = client.get(f"/seasons/{sid}/dates")
    assert page.status_code == 200 and "To confirm" in page.get_data(as_text=True)
    response = client.post(f"/seasons/{sid}/dates", data={**FORM, "rank_deadline": "2026-03-21"})
    assert response.status_code == 422
    assert "The rank-list deadline can&#39;t be after Match Day." in response.get_data(as_text=True)
    with app.app_context():
        season = db.session.get(Season, sid)
        assert season.rank_deadline == D.rank_deadline and season.dates_confirmed is False
    bad = client.post(f"/seasons/{sid}/dates", data={**FORM, "match_day": "March the 20th"})
    assert bad.status_code == 422


def test_the_dates_page_confirms_and_saves(app, client):
    sid = _current(app, confirmed=False)
    response = client.post(f"/seasons/{sid}/dates", data={**FORM, "rank_deadline": "2026-02-24",
                                                           "rank_deadline_time": "20:30"})
    assert response.status_code == 303
    with app.app_context():
        season = db.session.get(Season, sid)
        assert season.rank_deadline == dt.datetime(2026, 2, 24, 20, 30) and season.dates_confirmed is True


def test_a_new_season_starts_with_the_dates_a_year_on_to_confirm(app, client):
    _current(app)
    client.post("/seasons", data={"year": "2027", "confirm": "yes"})
    with app.app_context():
        season = db.session.scalar(sa.select(Season).where(Season.year == 2027))
        assert season.dates == sd.shifted(D) and season.dates_confirmed is False
        assert season.match_day == dt.date(2027, 3, 19)
    assert "(to confirm)" in client.get("/seasons").get_data(as_text=True)


def test_today_shows_the_rank_deadline_and_the_soap_list(app, client, make_program):
    _current(app)
    make_program(name="Gary County Program", status="interviewed")
    app.config["TRACKER_NOW"] = dt.datetime(2026, 2, 20, 9, 0)
    page = client.get("/today").get_data(as_text=True)
    assert "Rank-list deadline in 5 days (25 February, 9 pm ET)" in page
    assert "Before SOAP" not in page
    app.config["TRACKER_NOW"] = dt.datetime(2026, 3, 9, 9, 0)
    page = client.get("/today").get_data(as_text=True)
    assert "Match Week starts in 7 days (16 March)" in page
    assert "Before SOAP, have a predefined list of programs and specialties." in page
    assert "f.soap_list=yes" in page


def test_an_invitation_is_stamped_when_the_status_changes(app, client, make_program, read_program):
    pid = make_program(name="Gary County Program", status="applied")
    app.config["TRACKER_NOW"] = dt.datetime(2026, 11, 10, 8, 0)
    response = client.post(f"/programs/{pid}/cells/status", data={"value": "interview_invited", "version": 1})
    assert response.status_code == 200
    assert read_program(pid)["invited_at"] == dt.datetime(2026, 11, 10, 8, 0)
    app.config["TRACKER_NOW"] = dt.datetime(2026, 11, 12, 0, 0)  # 40 hours on
    page = client.get("/today").get_data(as_text=True)
    assert "Invitation 40 hours old: answer now." in page


def test_the_letter_is_marked_sent_from_today(app, client, make_program, read_program):
    _current(app)
    pid = make_program(name="Gary County Program", **TOP)
    app.config["TRACKER_NOW"] = NOW
    assert "Consider sending a sincere, specific letter of interest" in client.get("/today").get_data(as_text=True)
    assert client.post(f"/today/letter/{pid}", data={"version": 1}).status_code == 302
    stored = read_program(pid)
    assert (stored["loi_sent"], stored["email_status"]) == (NOW.date(), "loi_sent")


def test_undoing_an_invitation_takes_its_moment_back(app, client, make_program, read_program):
    pid = make_program(name="Gary County Program", status="applied")
    client.post(f"/programs/{pid}/cells/status", data={"value": "interview_invited", "version": 1})
    assert read_program(pid)["invited_at"] == dt.datetime(2026, 7, 1, 12, 0)
    assert client.post("/undo", headers={"HX-Request": "true"}).status_code == 200
    stored = read_program(pid)
    assert (stored["status"], stored["invited_at"]) == ("applied", None)


def test_migration_0022_gives_existing_seasons_their_dates_and_goes_back(app, make_program):
    from flask_migrate import downgrade, upgrade

    make_program(name="Gary County Program")
    with app.app_context():
        downgrade(revision="0023")
        db.session.execute(sa.text("UPDATE season SET year = 2026"))
        db.session.execute(sa.text("INSERT INTO season (year, current, created_at) VALUES (2027, 0, '2026-06-01')"))
        db.session.commit()
        upgrade()
        db.session.expire_all()
        seasons = {s.year: s for s in db.session.scalars(sa.select(Season))}
        assert seasons[2026].dates == D and seasons[2026].dates_confirmed is True
        assert seasons[2027].dates == sd.shifted(D) and seasons[2027].dates_confirmed is False


def test_the_ties_email_is_marked_sent_from_today_and_goes(app, client, make_program, read_program):
    pid = make_program(name="Gary County Program", status="applied", ties=["rotated"])
    app.config["TRACKER_NOW"] = NOW
    assert f'id="todo-ties_email-{pid}"' in client.get("/today").get_data(as_text=True)
    assert client.post(f"/today/ties_email/{pid}", data={"version": 1}).status_code == 302
    assert read_program(pid)["email_status"] == "intro_sent"
    assert f'id="todo-ties_email-{pid}"' not in client.get("/today").get_data(as_text=True)


def test_the_window_and_the_48_hours_are_on_the_rules_page(client):
    page = client.get("/settings").get_data(as_text=True)
    assert "Season dates: shown this many days ahead" in page
    assert "Interview invitation: hours programs must leave to accept" in page
