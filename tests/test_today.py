"""Today: what is due, with a frozen clock; marking items done; landing on Today in season."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tracker.db import db
from tracker.models import Change
from tracker.reminders import season_has_started, thank_you_state, todays_list
from tracker.rules import Rules

NOW = dt.datetime(2026, 11, 25, 12, 0)
H = dt.timedelta(hours=1)


@pytest.mark.parametrize("hours_ago, state", [
    (-1, None),  # the interview is still ahead
    (0, "soon"), (23.99, "soon"),
    (24, "due"), (48, "due"), (72, "due"),
    (72.01, "overdue"), (200, "overdue"),
])
def test_thank_you_due_at_the_24_and_72_hour_boundaries(hours_ago, state):
    assert thank_you_state(NOW - hours_ago * H, NOW, Rules()) == state


def test_the_window_is_a_rule():
    assert thank_you_state(NOW - 30 * H, NOW, Rules(thank_you_within_hours=24)) == "overdue"


def program(pid, **values):
    known = {"visa_j1": "yes", "visa_h1b": "yes", "img_percent": 30}  # nothing to research unless a test says
    return {"id": pid, "name": f"Program {pid}", "version": 1, "status": "researching", **known, **values}


def test_todays_list_sorts_each_kind_of_item():
    items = todays_list([
        program(1, status="interviewed", interview_date=NOW - 80 * H),
        program(2, status="interviewed", interview_date=NOW - 30 * H),
        program(3, status="interviewed", interview_date=NOW - 30 * H, thank_you_sent=dt.date(2026, 11, 24)),
        program(4, status="withdrawn", interview_date=NOW - 30 * H),
        program(5, status="interview_invited"),
        program(6, follow_up_on=dt.date(2026, 11, 20)),
        program(7, follow_up_on=dt.date(2026, 12, 30)),  # too far ahead
        program(8, tier="possible", visa_j1="unknown"),
        program(9, tier="likely"),
        program(10, tier="likely", status="applied"),
        program(11, tier="reach"),
    ], NOW)
    assert [(i.program_id, i.state) for i in items.thank_you] == [(1, "overdue"), (2, "due")]
    assert [i.program_id for i in items.invitation] == [5]
    assert [(i.program_id, i.state) for i in items.follow_up] == [(6, "overdue")]
    assert [i.program_id for i in items.research] == [8] and items.research[0].detail == "Unknown: J-1 sponsorship."
    assert [i.program_id for i in items.apply] == [9, 8]  # Likely first


@pytest.mark.parametrize("today, started", [
    (dt.date(2026, 8, 31), False), (dt.date(2026, 9, 1), True), (dt.date(2027, 3, 31), True),
    (dt.date(2027, 4, 1), False),
])
def test_the_season_runs_from_september_to_the_match(today, started):
    assert season_has_started(today, 2027, Rules()) is started


@pytest.fixture
def frozen(app):
    app.config["TRACKER_NOW"] = NOW
    return NOW


def test_today_lists_and_marks_a_thank_you_sent(app, client, frozen, make_program, read_program):
    pid = make_program(name="Gary County Program", status="interviewed", interview_date=NOW - 30 * H)
    page = client.get("/today").get_data(as_text=True)
    assert "Today, Wednesday November 25" in page and "Gary County Program" in page
    assert f'id="todo-thank_you-{pid}"' in page and "send by Fri Nov 27, 06:00" in page

    response = client.post(f"/today/thank_you/{pid}", data={"version": 1}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Thank-you marked sent: Gary County Program." in response.get_data(
        as_text=True)
    stored = read_program(pid)
    assert (stored["thank_you_sent"], stored["email_status"]) == (dt.date(2026, 11, 25), "thank_you_sent")
    with app.app_context():
        assert db.session.scalar(sa.select(Change.source).where(Change.field == "thank_you_sent")) == "edit"
    assert f'id="todo-thank_you-{pid}"' not in client.get("/today").get_data(as_text=True)


@pytest.mark.parametrize("kind, values, expected", [
    ("invitation", {"status": "interview_invited"}, {"status": "interview_scheduled"}),
    ("follow_up", {"follow_up_on": dt.date(2026, 11, 20)}, {"follow_up_on": None}),
    ("apply", {"status": "will_apply"}, {"status": "applied", "date_applied": dt.date(2026, 11, 25)}),
])
def test_each_kind_of_item_is_done_in_place(client, frozen, make_program, read_program, kind, values, expected):
    pid = make_program(**values)
    assert client.post(f"/today/{kind}/{pid}", data={"version": 1}).status_code == 302
    stored = read_program(pid)
    assert {k: stored[k] for k in expected} == expected


def test_a_stale_item_is_refused(client, frozen, make_program, read_program):
    pid = make_program(status="interview_invited")
    client.post(f"/programs/{pid}/cells/city", data={"value": "Gary", "version": 1})
    response = client.post(f"/today/invitation/{pid}", data={"version": 1}, headers={"HX-Request": "true"})
    assert response.status_code == 409 and "reload Today" in response.get_data(as_text=True)
    assert read_program(pid)["status"] == "interview_invited"


def test_opening_the_tracker_in_season_lands_on_today_once(app, frozen):

    fresh = app.test_client()
    make_current_season(app, 2027)
    first = fresh.get("/")
    assert first.status_code == 302 and first.headers["Location"] == "/today"
    assert fresh.get("/").status_code == 200  # then the grid, as asked
    app.config["TRACKER_NOW"] = dt.datetime(2027, 6, 1)
    assert app.test_client().get("/").status_code == 200  # out of season: the grid


def make_current_season(app, year):
    with app.app_context():
        from tracker.models import Season
        from tracker.seasons import switch_to

        season = db.session.scalar(sa.select(Season).where(Season.year == year))
        if season is None:
            season = Season(year=year)
            db.session.add(season)
        switch_to(season)
        db.session.commit()


def test_in_season_the_demo_list_opens_on_today_without_a_profile(app, runner, frozen):
    make_current_season(app, 2027)  # the 2027 Match: its season runs from September 2026
    assert "Loaded" in runner.invoke(args=["demo"]).output
    first = app.test_client().get("/")
    assert first.status_code == 302 and first.headers["Location"] == "/today"


def test_the_current_seasons_year_decides_not_the_profiles(app, frozen):
    make_current_season(app, 2026)  # an old season shown again: its Match is over
    with app.app_context():
        from tracker.models import Profile

        db.session.add(Profile(season_year=2027))
        db.session.commit()
    assert app.test_client().get("/").status_code == 200


J1 = {"visa_needed": "J-1", "step1": "pass", "step2_ck": 230, "step1_attempts": 1, "step2_attempts": 1, "graduation_year": 2022,
      "season_year": 2027, "usce_months": 3}


def test_only_programs_with_unknown_visa_or_img_data_are_to_research():
    items = todays_list([
        program(1, visa_j1="unknown"),
        program(2, visa_h1b="unknown"),  # the applicant needs a J-1: H-1B is not worth researching
        program(3, img_percent=None),
        program(4, img_percent=None, non_us_img_count=3),  # a count is IMG data too
        program(5, setting=None, step2_min=220),  # unknowns of other kinds: not research
        program(6, visa_j1="unknown", tier="not_eligible"),
        program(7, visa_j1="unknown", status="applied"),
    ], NOW, profile=J1)
    assert [(i.program_id, i.unknown) for i in items.research] == [
        (1, ["visa_j1"]), (3, ["img_percent", "non_us_img_count"])]
    assert items.research[1].detail == "Unknown: IMG share."
    assert items.profile_gaps == [] and items.total == 2


def test_profile_gaps_are_one_item_whatever_the_number_of_programs():
    rows = [program(i, step2_min=220, usce_required="yes", step1_requirement="Pass") for i in range(1, 30)]
    items = todays_list(rows, NOW, profile={**J1, "step1": None, "step2_ck": None, "usce_months": None})
    assert items.research == []
    assert items.profile_gaps == ["your Step 1 result", "your Step 2 CK score",
                                  "your months of US clinical experience", "your inpatient months of USCE",
                                  "your number of US letters"]
    assert items.total == 1

    asked = [program(1, usce_required="no", ecfmg_by="ranking", mission_tags=["border"])]
    assert todays_list(asked, NOW, profile={**J1, "usce_inpatient_months": 1, "us_letters": 1}).profile_gaps == [
        "your ECFMG certificate", "the languages you speak"]

    nothing = todays_list([program(1, usce_required="no")], NOW, profile=None)  # no profile: the visa need
    assert nothing.profile_gaps == ["the visa you need"]
    unsure = todays_list([program(1)], NOW, profile=None)  # USCE requirement unknown: months count too
    assert unsure.profile_gaps == ["the visa you need", "your months of US clinical experience"]


@pytest.mark.parametrize("need, unknown", [
    (None, ["visa_j1", "visa_h1b"]),  # the profile does not say: either may be the one
    ("H-1B", ["visa_h1b"]),
    ("none", []),
])
def test_the_visa_to_research_is_the_one_the_profile_needs(need, unknown):
    items = todays_list([program(1, visa_j1="unknown", visa_h1b=None)], NOW, profile={**J1, "visa_needed": need})
    assert [i.unknown for i in items.research] == ([unknown] if unknown else [])


def test_today_asks_once_to_complete_the_profile(client, frozen, make_program):
    for name in ("Gary County Program", "Toledo Community Program"):
        make_program(name=name, visa_j1="yes", visa_h1b="yes", img_percent=40, step2_min=220, usce_required="no")
    page = client.get("/today").get_data(as_text=True)
    assert page.count('id="todo-profile"') == 1 and '<a href="/profile">Complete your profile</a>' in page
    assert "Add the visa you need, your Step 2 CK score: the tiers depend on them." in page
    assert "todo-research-" not in page and "add your score" not in page


@pytest.fixture
def j1_applicant(app):
    with app.app_context():
        from tracker.models import Profile

        db.session.add(Profile(**J1))
        db.session.commit()


def test_a_research_item_is_filled_in_where_it_stands(app, client, frozen, j1_applicant, make_program, read_program):
    pid = make_program(name="Gary County Program", visa_j1="unknown")
    page = client.get("/today").get_data(as_text=True)
    item = page.split(f'id="todo-research-{pid}"')[1].split("</li>")[0]
    assert "Unknown: J-1 sponsorship, IMG share." in item
    assert '<select name="visa_j1">' in item and 'name="img_percent"' in item and 'name="visa_h1b"' not in item

    hx = {"HX-Request": "true"}
    first = client.post(f"/today/research/{pid}", data={"version": 1, "visa_j1": "yes", "img_percent": ""},
                        headers=hx)
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and "Saved J-1 Yes: Gary County Program." in body
    assert body.startswith(f'<li id="todo-research-{pid}"') and 'name="visa_j1"' not in body  # IMG still to do
    assert (read_program(pid)["visa_j1"], read_program(pid)["img_percent"]) == ("yes", None)

    version = re.search(r'name="version" value="(\d+)"', body).group(1)  # the item carries the row's new version
    assert version == str(read_program(pid)["version"])
    done = client.post(f"/today/research/{pid}", data={"version": version, "img_percent": "35"}, headers=hx)
    assert done.status_code == 200 and 'class="todo-item done"' in done.get_data(as_text=True)
    assert read_program(pid)["img_percent"] == 35
    with app.app_context():
        sources = db.session.scalars(sa.select(Change.source).where(Change.field.in_(["visa_j1", "img_percent"]))
                                     .where(Change.program_id == pid).order_by(Change.id)).all()
    assert sources[-2:] == ["edit", "edit"]
    assert f'id="todo-research-{pid}"' not in client.get("/today").get_data(as_text=True)


def test_a_research_form_refuses_nothing_or_a_bad_value_and_stores_nothing(client, frozen, j1_applicant,
                                                                            make_program, read_program):
    pid = make_program(name="Gary County Program", visa_j1="unknown")
    hx = {"HX-Request": "true"}
    empty = client.post(f"/today/research/{pid}", data={"version": 1, "visa_j1": "unknown"}, headers=hx)
    assert empty.status_code == 422 and "Fill in what you found; nothing was saved." in empty.get_data(as_text=True)
    bad = client.post(f"/today/research/{pid}", data={"version": 1, "visa_j1": "yes", "img_percent": "lots"},
                      headers=hx)
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "IMG %" in body and 'value="lots"' in body  # what was typed stays
    stale = client.post(f"/today/research/{pid}", data={"version": 7, "visa_j1": "yes"}, headers=hx)
    assert stale.status_code == 409
    stored = read_program(pid)
    assert (stored["visa_j1"], stored["img_percent"], stored["version"]) == ("unknown", None, 1)
