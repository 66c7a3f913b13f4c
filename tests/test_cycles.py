"""Between cycles: the profile kept per season, what changed since last season and what is
significant, the advice of an unmatched season, the confirmation before starting a season and the
season's name on every page."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tracker.analysis import analyse, match_day
from tracker.cycles import compare_profiles, significant
from tracker.db import db
from tracker.models import Profile, Program, Season
from tracker.rules import Rules

LAST = {"step2_ck": 221, "step3": None, "step1_attempts": 1, "usce_months": 0, "usce_inpatient_months": 0,
        "observership_months": 2, "us_letters": 1, "ecfmg_certified": "yes", "visa_needed": "J-1",
        "target_specialties": ["internal_medicine"], "graduation_year": 2019, "clinical_gap_months": 6,
        "mission_experience": []}


def texts(changes):
    return [c.text for c in changes]


# -- what changed (pure) ---------------------------------------------------------------

def test_each_change_is_named_with_both_values():
    now = {**LAST, "step2_ck": 236, "usce_months": 4, "usce_inpatient_months": 2, "us_letters": 3,
           "visa_needed": "either", "target_specialties": ["internal_medicine", "family_medicine"],
           "clinical_gap_months": 18}
    changes = compare_profiles(LAST, now, Rules())
    assert texts(changes) == [
        "Step 2 CK 221 → 236", "USCE 0 → 4 months", "Inpatient USCE 0 → 2 months", "US letters 1 → 3",
        "Visa J-1 → either J-1 or H-1B", "Target specialties Internal Medicine → Internal Medicine, Family Medicine",
        "Longest gap in clinical work 6 months → 18 months"]
    assert [c.key for c in significant(changes)] == ["step2_ck", "usce_months", "us_letters"]


def test_an_unchanged_profile_has_no_changes():
    assert compare_profiles(LAST, dict(LAST), Rules()) == []
    assert compare_profiles(None, LAST, Rules()) == []


@pytest.mark.parametrize("now, is_significant", [
    ({"usce_months": 2}, False),  # 2 more months: under the rule's 3
    ({"usce_months": 3}, True),
    ({"observership_months": 8}, False),  # observerships are not hands-on
    ({"step3": 225}, True),  # Step 3 passed
    ({"step3": 190}, False),  # failed
    ({"ecfmg_certified": "later"}, False),
    ({"mission_experience": ["research_qi"]}, True),  # research
    ({"mission_experience": ["rural"]}, False),
    ({"step2_ck": 220}, False),  # lower
])
def test_what_counts_as_significant(now, is_significant):
    changes = compare_profiles(LAST, {**LAST, **now}, Rules())
    assert len(changes) == 1
    assert changes[0].significant is is_significant


def test_significance_follows_the_editable_rules():
    now = {**LAST, "usce_months": 2, "us_letters": 2}
    assert significant(compare_profiles(LAST, now, Rules())) != []  # one more letter
    assert significant(compare_profiles(LAST, now, Rules(cycle_usce_months=2, cycle_us_letters=2))) != []
    assert significant(compare_profiles(LAST, now, Rules(cycle_usce_months=4, cycle_us_letters=2))) == []


def test_the_rules_name_the_article():
    help_texts = [f.metadata["help"] for f in __import__("dataclasses").fields(Rules) if f.name.startswith("cycle_")]
    assert len(help_texts) == 3
    assert all("change something significant between cycles" in h for h in help_texts)


# -- the unmatched season's advice (pure) ------------------------------------------------

def season_rows(applied=130, invited=10, county=101):
    rows = []
    for i in range(applied):
        rows.append({"id": i, "name": f"P{i}", "state": "OH", "city": "Toledo", "visa_j1": "yes",
                     "setting": "county" if i < county else "community", "img_percent": 40,
                     "status": "interview_invited" if i < invited else "rejected"})
    return rows


def test_an_unmatched_season_always_gives_the_between_cycles_advice_with_its_numbers():
    profile = {**LAST, "step2_ck": 236, "season_year": 2026}
    after = dt.date(2026, 4, 1)
    result = analyse(season_rows(), profile, Rules(), after, season_year=2026, previous_profile=profile)
    assert result.unmatched
    first = result.advice[0]
    assert first.startswith("You did not match this season. Change something significant between cycles—scores, "
                            "USCE, research, or letters")
    assert "130 applications gave 10 interview invitations (8%)" in first
    assert "78% of applications went to one setting, County" in first
    assert "Your profile shows no significant change since last season." in first
    assert not any("Nothing in these numbers stands out" in a for a in result.advice)


def test_the_advice_names_unsponsored_and_low_img_shares():
    rows = season_rows(applied=10, invited=0, county=10)
    for row in rows[:4]:
        row["visa_j1"] = "no"
    for row in rows[4:6]:
        row["img_percent"] = 1
    result = analyse(rows, {"visa_needed": "J-1"}, Rules(), dt.date(2026, 4, 1), season_year=2026)
    assert "40% to programs that do not sponsor your visa or whose sponsorship was unknown" in result.advice[0]
    assert "20% to programs with low IMG presence (0 invited)" in result.advice[0]


def test_before_match_day_a_season_without_a_match_is_not_yet_unmatched():
    rows = season_rows()
    assert match_day(2026) == dt.date(2026, 3, 20)
    assert not analyse(rows, LAST, Rules(), dt.date(2026, 3, 19), season_year=2026).unmatched
    assert analyse(rows, LAST, Rules(), dt.date(2026, 3, 20), season_year=2026).unmatched
    rows[50]["outcome"] = "not_matched"  # said so before Match Day's date is known
    assert analyse(rows, LAST, Rules(), dt.date(2026, 1, 1), season_year=2026).unmatched
    rows[51]["status"] = "matched"
    assert not analyse(rows, LAST, Rules(), dt.date(2026, 4, 1), season_year=2026).unmatched


# -- HTTP ----------------------------------------------------------------------------------

PROFILE_FORM = {"visa_needed": "J-1", "season_year": "2027", "step2_ck": "221", "usce_months": "0",
                "us_letters": "1", "target_specialties": ["internal_medicine"]}


def current(app):
    with app.app_context():
        season = db.session.scalar(sa.select(Season).where(Season.current.is_(True)))
        return season.id, season.year


def test_starting_a_season_without_the_confirmation_is_refused(app, client, make_program):
    make_program(name="Kept Program")
    _, year = current(app)
    response = client.post("/seasons", data={"year": str(year + 1)})
    assert response.status_code == 422
    assert "Tick “Yes, start this season” to start the" in response.get_data(as_text=True)
    assert "nothing was started" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Season)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)) == 1
    bad = client.post("/seasons", data={"year": "next", "confirm": "yes"})
    assert bad.status_code == 422 and "Enter the Match year" in bad.get_data(as_text=True)
    again = client.post("/seasons", data={"year": str(year), "confirm": "yes"})
    assert again.status_code == 422 and f"There is already a season for the {year} Match." in again.get_data(
        as_text=True)


def test_every_page_shows_the_season_and_a_confirmed_start_changes_it(app, client):
    _, year = current(app)
    for path in ("/", "/profile", "/seasons", "/dashboard", "/settings"):
        page = client.get(path).get_data(as_text=True)
        assert f'class="season-label"' in page and f">{year} Match</a>" in page, path
    response = client.post("/seasons", data={"year": str(year + 1), "confirm": "yes"})
    assert response.status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    assert f">{year + 1} Match</a>" in page
    assert f"This is your profile in the {year + 1} Match season" in page


def test_the_profile_is_kept_per_season_through_a_start_and_a_switch_back(app, client, make_program):
    assert client.post("/profile", data=PROFILE_FORM).status_code == 302
    old_season, year = current(app)
    old_program = make_program(name="Needs a US letter", setting="community", state="OH", visa_j1="yes",
                               img_percent=40, step2_min=230, step2_min_kind="strict")
    client.post("/seasons", data={"year": str(year + 1), "confirm": "yes"})
    new_season, _ = current(app)
    with app.app_context():
        copied = db.session.scalar(sa.select(Profile).where(Profile.season_id == new_season))
        assert (copied.step2_ck, copied.season_year, copied.target_specialties) == (221, year + 1,
                                                                                   ["internal_medicine"])
        assert db.session.get(Program, old_program).tier == "not_eligible"  # 221 under the strict 230
    # a better profile in the new season re-tiers only its own programs
    client.post("/profile", data={**PROFILE_FORM, "season_year": str(year + 1), "step2_ck": "236",
                                  "usce_months": "4", "us_letters": "3"})
    with app.app_context():
        new_copy = db.session.scalar(sa.select(Program).where(Program.season_id == new_season))
        assert new_copy.tier != "not_eligible"
        assert db.session.get(Program, old_program).tier == "not_eligible"
    assert 'value="236"' in client.get("/profile").get_data(as_text=True)
    # back to the old season: its profile again, and its programs tiered by it
    assert client.post(f"/seasons/{old_season}/current").status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    assert 'value="221"' in page and 'value="236"' not in page and f'value="{year}"' in page
    with app.app_context():
        assert db.session.get(Program, old_program).tier == "not_eligible"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Profile)) == 2
    # and forward again: the new season's profile is as it was left
    client.post(f"/seasons/{new_season}/current")
    assert 'value="236"' in client.get("/profile").get_data(as_text=True)


def test_the_analysis_shows_what_changed_and_says_when_nothing_significant_did(app, client, make_program):
    client.post("/profile", data=PROFILE_FORM)
    _, year = current(app)
    client.post("/seasons", data={"year": str(year + 1), "confirm": "yes"})
    new_season, _ = current(app)
    page = client.get(f"/seasons/{new_season}/analysis").get_data(as_text=True)
    assert "Your profile is the same as in the" in page
    assert "Nothing significant changed in your profile since last season" in page
    client.post("/profile", data={**PROFILE_FORM, "season_year": str(year + 1), "usce_months": "2",
                                  "observership_months": "3"})
    page = client.get(f"/seasons/{new_season}/analysis").get_data(as_text=True)
    assert "USCE 0 → 2 months" in page and "Observerships 0 → 3 months" in page
    assert "Nothing significant changed" in page  # 2 months: under the rule's 3
    client.post("/profile", data={**PROFILE_FORM, "season_year": str(year + 1), "step2_ck": "236",
                                  "usce_months": "4"})
    page = client.get(f"/seasons/{new_season}/analysis").get_data(as_text=True)
    assert "Step 2 CK 221 → 236 <strong>(significant)</strong>" in page
    assert "USCE 0 → 4 months <strong>(significant)</strong>" in page
    assert "Nothing significant changed" not in page


def test_an_unmatched_season_analysis_gives_the_advice_on_the_page(app, client, make_program):
    client.post("/profile", data=PROFILE_FORM)
    season_id, year = current(app)
    for i in range(8):
        make_program(name=f"County {i}", setting="county", state="OH", city="Toledo", visa_j1="yes", img_percent=40,
                     status="interview_invited" if i < 2 else "rejected")
    app.config["TRACKER_NOW"] = dt.datetime(year, 4, 1, 12, 0)  # after Match Day, nothing matched
    page = client.get(f"/seasons/{season_id}/analysis").get_data(as_text=True)
    assert "No match was recorded in this season." in page
    assert "Change something significant between cycles—scores, USCE, research, or letters" in page
    assert "8 applications gave 2 interview invitations (25%)" in page
    assert "Nothing in these numbers stands out" not in page


def test_the_migration_attaches_the_existing_profile_to_the_current_season(tmp_path, monkeypatch):
    from flask_migrate import downgrade, upgrade

    from tracker import create_app

    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(revision="0021")
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE season SET current = 0"))  # 0006 made one
            conn.execute(sa.text("INSERT INTO season (id, year, current, created_at) VALUES "
                                 "(10, 2030, 0, '2029-06-01'), (11, 2031, 1, '2030-06-01')"))
            conn.execute(sa.text("INSERT INTO profile (id, step2_ck, season_year, updated_at) "
                                 "VALUES (1, 221, 2030, '2030-06-01')"))
        upgrade(revision="0023")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT season_id FROM profile")).scalar() == 11  # the current one
            conn.execute(sa.text("INSERT INTO profile (id, step2_ck, season_id, updated_at) "
                                 "VALUES (2, 236, 10, '2030-06-01')"))
            conn.commit()
        downgrade(revision="0021")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT id, step2_ck FROM profile")).all() == [(1, 221)]
        db.engine.dispose()


def test_a_season_without_a_profile_of_its_own_says_there_is_nothing_to_compare(app, client, make_program):
    client.post("/profile", data=PROFILE_FORM)
    old_season, year = current(app)
    client.post("/seasons", data={"year": str(year + 1), "confirm": "yes"})
    with app.app_context():  # as after the upgrade: only the current season's profile was attached
        db.session.execute(sa.delete(Profile).where(Profile.season_id == old_season))
        db.session.commit()
    new_season, _ = current(app)
    page = client.get(f"/seasons/{new_season}/analysis")
    assert page.status_code == 200
    assert f"The {year} Match season has no profile saved: nothing to compare." in page.get_data(as_text=True)
    page = client.get(f"/seasons/{old_season}/analysis")
    assert page.status_code == 200 and "This is the first season" in page.get_data(as_text=True)
    with app.app_context():  # a season after it whose profile is gone too
        db.session.execute(sa.delete(Profile))
        db.session.commit()
    page = client.get(f"/seasons/{new_season}/analysis")
    assert page.status_code == 200 and "This season has no profile of its own" in page.get_data(as_text=True)
    assert client.get("/seasons/999/analysis").status_code == 404
