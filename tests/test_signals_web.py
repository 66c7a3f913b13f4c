"""Gold and silver signals and ERAS's geographic preference over HTTP (issue 18): the grid's Signal
cell and its warning, the profile's divisions (three kept, a fourth refused), the grid's mark and
filter, the dashboard's counts, Today's suggestions, and the migration of a former yes."""

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa

from forms import form_values
from tracker.db import db
from tracker.models import Profile

PROFILE = {"visa_needed": "J-1", "step1": "Pass", "step1_attempts": "1", "step2_ck": "225", "step2_attempts": "1",
           "graduation_year": "2023", "season_year": "2027", "usce_months": "3", "us_letters": "2",
           "target_specialties": ["internal_medicine"], "region_ties": "Texas"}
LIKELY = {"visa_j1": "yes", "img_percent": 40, "non_us_img_count": 6, "usce_required": "no", "setting": "county",
          "specialty": "internal_medicine"}
HX = {"HX-Request": "true"}
BASE = {"visa_needed": "", "season_year": "2027"}  # the least a profile form sends


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def save(client, pid, key, value, version=1):
    return client.post(f"/programs/{pid}/cells/{key}", data={"value": value, "version": version}, headers=HX)


def stored_profile(app):
    with app.app_context():
        db.session.expire_all()
        profile = db.session.scalar(sa.select(Profile))
        return (profile.geo_divisions, profile.geo_setting) if profile else None


# -- the grid's Signal cell -----------------------------------------------------------

def test_the_gold_signal_at_the_count_saves_quietly_and_one_more_warns(client, make_program, read_program):
    for i in range(2):
        make_program(name=f"Gold {i}", state="OH", signal_sent="gold", specialty="internal_medicine")
    third, fourth = (make_program(name=name, state="OH", specialty="internal_medicine") for name in ("Third", "Fourth"))

    at_count = save(client, third, "signal_sent", "Gold")
    assert at_count.status_code == 200 and read_program(third)["signal_sent"] == "gold"
    assert "gold signal" not in at_count.get_data(as_text=True)  # 3 of 3 gold: no warning

    past = save(client, fourth, "signal_sent", "gold")
    body = text_of(past.get_data(as_text=True))
    assert past.status_code == 200 and read_program(fourth)["signal_sent"] == "gold"  # kept, with the warning
    assert "4 Internal Medicine institutions have a gold signal; ERAS allows 3 gold this season." in body
    # silver is its own count: 12 of them
    assert "silver signal" not in text_of(save(client, fourth, "signal_sent", "silver", 2).get_data(as_text=True))


def test_a_second_track_of_a_signalled_institution_does_not_count_again(client, make_program, read_program):
    client.post("/profile", data={**BASE, "signals_internal_medicine": "1"})
    make_program(name="Mercy Categorical", program_code="1903140C0", specialty="internal_medicine",
                 signal_sent="gold")
    prelim = make_program(name="Mercy Preliminary", program_code="1903140P0", specialty="internal_medicine")
    other = make_program(name="Elsewhere", program_code="2104140C0", specialty="internal_medicine")
    assert "signalled" not in save(client, prelim, "signal_sent", "gold").get_data(as_text=True)
    body = text_of(save(client, other, "signal_sent", "gold").get_data(as_text=True))
    assert "2 Internal Medicine institutions are signalled; your profile says you may send 1." in body


def test_a_signal_the_field_does_not_take_is_refused_and_nothing_is_stored(client, make_program, read_program):
    pid = make_program(name="Somewhere")
    refused = save(client, pid, "signal_sent", "platinum")
    assert refused.status_code == 422 and "Signal: choose one of None, Gold, Silver." in refused.get_data(as_text=True)
    assert read_program(pid)["signal_sent"] == "none"


# -- the profile's geographic preference ----------------------------------------------

def test_three_divisions_are_kept_and_a_fourth_is_refused_with_a_message(app, client):
    three = ["east_north_central", "west_south_central", "south_atlantic"]
    assert client.post("/profile", data={**BASE, "geo_divisions": three,
                                         "geo_setting": "suburban"}).status_code == 302
    assert stored_profile(app) == (["east_north_central", "south_atlantic", "west_south_central"], "suburban")

    refused = client.post("/profile", data={**BASE, "geo_divisions": three + ["pacific"],
                                            "geo_setting": "rural"})
    assert refused.status_code == 422
    assert "ERAS takes at most 3 census divisions; you ticked 4." in text_of(refused.get_data(as_text=True))
    assert stored_profile(app) == (["east_north_central", "south_atlantic", "west_south_central"], "suburban")

    page = client.get("/profile").get_data(as_text=True)
    assert form_values(page)["geo_divisions"] == ["east_north_central", "south_atlantic", "west_south_central"]
    assert form_values(page)["geo_setting"] == "suburban"


def test_the_number_of_divisions_is_a_rule(app, client):
    data = form_values(client.get("/settings").get_data(as_text=True))
    assert data["geographic_divisions_max"] == "3"
    assert client.post("/settings", data={**data, "geographic_divisions_max": "1"}).status_code == 302
    refused = client.post("/profile", data={**BASE, "geo_divisions": ["pacific", "mountain"]})
    assert refused.status_code == 422 and "at most 1 census divisions" in refused.get_data(as_text=True)


def test_an_unknown_division_or_setting_is_refused(app, client):
    assert client.post("/profile", data={**BASE, "geo_divisions": ["atlantis"]}).status_code == 422
    assert client.post("/profile", data={**BASE, "geo_setting": "lunar"}).status_code == 422
    assert stored_profile(app) is None


def test_the_grid_marks_and_filters_the_programs_in_the_divisions(client, make_program):
    make_program(name="Toledo Program", state="OH")
    make_program(name="Fresno Program", state="CA")
    make_program(name="No State Program")
    grid = client.get("/").get_data(as_text=True)
    assert 'class="geo-mark"' not in grid and 'name="geo"' not in grid  # no preference yet

    client.post("/profile", data={**BASE, "geo_divisions": ["east_north_central"]})
    grid = client.get("/").get_data(as_text=True)
    toledo = grid.split('>Toledo Program</a>')[0].rsplit("<tr", 1)[1]
    assert 'class="geo-mark"' in toledo and "East North Central" in toledo
    fresno = grid.split('>Fresno Program</a>')[0].rsplit("<tr", 1)[1]
    assert 'class="geo-mark"' not in fresno
    filtered = client.get("/?geo=1").get_data(as_text=True)
    assert "Toledo Program" in filtered and "Fresno Program" not in filtered and "No State Program" not in filtered
    assert 'name="geo" value="1" checked' in filtered


# -- the dashboard --------------------------------------------------------------------

def test_the_dashboard_counts_signals_and_the_programs_in_the_divisions(client, make_program):
    client.post("/profile", data={**PROFILE, "geo_divisions": ["east_north_central"], "geo_setting": "urban"})
    for i, state in enumerate(("OH", "MI", "CA")):
        make_program(name=f"Program {i}", state=state, status="will_apply", signal_sent="gold", **LIKELY)
    make_program(name="Program 3", state="OH", status="will_apply", signal_sent="gold", **LIKELY)
    make_program(name="Psych", specialty="psychiatry", signal_sent="silver", state="OH", status="researching")
    page = client.get("/dashboard").get_data(as_text=True)
    signals = text_of(re.search(r'<table[^>]*id="signals-table".*?</table>', page, re.S).group(0))
    assert ("Internal Medicine 4 of 3 gold, 0 of 12 silver 4 Internal Medicine institutions have a gold signal; "
            "ERAS allows 3 gold this season.") in signals
    assert "Psychiatry 1 of 10 —" in signals
    geo = text_of(re.search(r'<p id="geo-preference">.*?</p>', page, re.S).group(0))
    assert geo.startswith("Your ERAS geographic preference: East North Central, urban. 3 of the 4 programs on the list "
                          "are in it")


@pytest.mark.parametrize("coastal, elsewhere, concentrated", [(1, 3, False), (2, 3, True)])
def test_the_dashboard_says_the_list_leans_on_big_cities_past_the_rule(client, make_program, coastal, elsewhere,
                                                                       concentrated):
    for i in range(coastal):
        make_program(name=f"Brooklyn {i}", state="NY", city="Brooklyn", status="will_apply")
    for i in range(elsewhere):
        make_program(name=f"Toledo {i}", state="OH", city="Toledo", status="will_apply")
    verdict = text_of(re.search(r'<p class="verdict[^"]*" id="where-verdict">.*?</p>', client.get("/dashboard")
                                .get_data(as_text=True), re.S).group(0))
    assert ("more than 25%: the list leans on a few big cities" in verdict) is concentrated


# -- Today ----------------------------------------------------------------------------

@pytest.fixture
def in_season(app):
    app.config["TRACKER_NOW"] = dt.datetime(2026, 11, 25, 12, 0)


def test_today_suggests_where_to_signal_and_marks_the_signal(client, in_season, make_program, read_program):
    assert client.post("/profile", data=PROFILE).status_code == 302
    rotated = make_program(name="Rotated Program", state="OH", ties=["rotated"], **LIKELY)
    texan = make_program(name="Texan Program", state="TX", **LIKELY)
    untied = make_program(name="Untied Program", state="OH", **LIKELY)
    page = client.get("/today").get_data(as_text=True)
    section = page.split('id="h-signal"')[1].split("</section>")[0]
    assert f'id="todo-signal-{rotated}"' in section and f'id="todo-signal-{texan}"' in section
    assert f'id="todo-signal-{untied}"' not in section
    assert "Internal Medicine, gold signal; ties: region ties (TX)" in text_of(section)

    done = client.post(f"/today/signal/{rotated}", data={"version": 1, "level": "gold"}, headers=HX)
    assert done.status_code == 200 and "Signal marked: Rotated Program." in done.get_data(as_text=True)
    assert read_program(rotated)["signal_sent"] == "gold"
    assert f'id="todo-signal-{rotated}"' not in client.get("/today").get_data(as_text=True)


def test_today_warns_past_the_count(client, in_season, make_program):
    for i in range(6):
        make_program(name=f"Family {i}", specialty="family_medicine", signal_sent="gold")
    page = text_of(client.get("/today").get_data(as_text=True))
    assert "6 Family Medicine institutions are signalled; ERAS allows 5 this season." in page


# -- the migration ----------------------------------------------------------------------

def test_the_upgrade_turns_a_former_yes_into_gold_and_the_rest_into_none(app, make_program, read_program):
    from flask_migrate import downgrade, upgrade

    ids = [make_program(name=f"P{i}") for i in range(3)]
    with app.app_context():
        downgrade(revision="0016")
        for pid, old in zip(ids, ("yes", "no", "unknown")):
            db.session.execute(sa.text("UPDATE program SET signal_sent = :v WHERE id = :id"), {"v": old, "id": pid})
        db.session.commit()
        upgrade()
    assert [read_program(pid)["signal_sent"] for pid in ids] == ["gold", "none", "none"]
    assert read_program(ids[0])["ties"] == []
    with app.app_context():  # the rebuilt table still never gives an id twice (0013)
        sql = db.session.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = 'program'"))
    assert "AUTOINCREMENT" in sql
