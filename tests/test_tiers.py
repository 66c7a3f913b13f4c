"""Tiers in the running tracker: profile and rules re-tier the list, overrides stay, the grid
follows a save without a reload."""

import datetime as dt
import json
import re

import sqlalchemy as sa

from forms import form_values
from tracker.db import db
from tracker.models import Change, Profile, RuleSet
from tracker.views.profile import match_year

PROFILE = {
    "visa_needed": "J-1", "step1": "Pass", "step1_attempts": "1", "step2_ck": "230", "step2_attempts": "1",
    "step3": "", "graduation_year": "2023", "season_year": "2027", "usce_months": "3",
    "observership_months": "2", "us_letters": "2", "languages": "Spanish", "region_ties": "TX",
    "target_specialties": ["internal_medicine", "family_medicine"],
}
LIKELY = {"visa_j1": "yes", "img_percent": 40, "non_us_img_count": 6, "setting": "county"}


def save_cell(client, pid, key, value, version, page="/"):
    return client.post(f"/programs/{pid}/cells/{key}", data={"value": value, "version": version},
                       headers={"HX-Request": "true", "HX-Current-URL": f"http://localhost{page}"})


def test_the_profile_form_offers_the_coming_match_year(client):
    page = client.get("/profile").get_data(as_text=True)
    assert f'value="{match_year(dt.date.today())}"' in page
    assert match_year(dt.date(2026, 11, 25)) == 2027 and match_year(dt.date(2027, 2, 1)) == 2027


def test_saving_the_profile_re_tiers_every_program(app, client, make_program, read_program):
    no_j1 = make_program(name="No J-1", **{**LIKELY, "visa_j1": "no"})
    county = make_program(name="County", **LIKELY)
    assert read_program(no_j1)["tier"] == "possible"  # visa need not known yet

    response = client.post("/profile", data=PROFILE, follow_redirects=True)

    assert response.status_code == 200
    assert "every program was re-tiered: Likely 1, Possible 0, Reach 0, Not eligible 1" in response.get_data(as_text=True)
    assert read_program(no_j1)["tier"] == "not_eligible"
    assert read_program(county)["tier"] == "likely"
    assert read_program(county)["version"] == 1  # derived data: open tabs can still save
    with app.app_context():
        profile = db.session.scalar(sa.select(Profile))
        assert (profile.step1, profile.step2_ck, profile.target_specialties) == ("pass", 230,
                                                                                ["internal_medicine", "family_medicine"])


def test_a_bad_profile_is_refused_and_nothing_is_stored(app, client):
    response = client.post("/profile", data={**PROFILE, "step2_ck": "abc", "step1": "great"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Not a valid integer value." in body and "Enter pass, fail, or a score from 150 to 300." in body
    with app.app_context():
        assert db.session.scalar(sa.select(Profile)) is None


def test_changing_a_rule_re_tiers_and_reset_restores_the_defaults(app, client, make_program, read_program):
    client.post("/profile", data=PROFILE)
    pid = make_program(**LIKELY)
    assert read_program(pid)["tier"] == "likely"
    form = client.get("/settings").get_data(as_text=True)
    assert "Clear IMG presence: % IMG residents" in form

    data = {**form_values(form), "clear_img_percent": "50", "clear_non_us_img_count": "10"}
    assert client.post("/settings", data=data).status_code == 302
    assert read_program(pid)["tier"] == "possible"
    assert "Default: 20" in client.get("/settings").get_data(as_text=True)

    refused = client.post("/settings", data={**data, "clear_img_percent": "150"})
    assert refused.status_code == 422
    assert "Number must be between 0 and 100." in refused.get_data(as_text=True)

    client.post("/settings", data={"reset": "1"})
    assert read_program(pid)["tier"] == "likely"
    with app.app_context():
        assert db.session.scalar(sa.select(RuleSet)) is None


def test_a_visa_save_updates_the_tier_badge_and_counts_out_of_band(client, make_program, read_program):
    client.post("/profile", data=PROFILE)
    pid = make_program(**LIKELY)

    response = save_cell(client, pid, "visa_j1", "no", 1)

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.startswith('<td data-f="visa_j1"')
    badge = re.search(rf'<td data-f="tier_override"[^>]*id="tier-{pid}"[^>]*hx-swap-oob="true">(.*?)</td>', body, re.S)
    assert badge and "Not eligible" in badge.group(1)
    # its reasons are fetched again when the cell is looked at (the new cell carries none): now the new ones
    assert 'class="reasons"' not in badge.group(1)
    assert "Does not sponsor J-1, which you need" in client.get(f"/programs/{pid}/reasons").get_data(as_text=True)
    chips = re.search(r'<nav id="tier-chips"[^>]*hx-swap-oob="true">(.*?)</nav>', body, re.S).group(1)
    assert re.search(r"Likely</span> <b>0</b>", chips) and re.search(r"Not eligible</span> <b>1</b>", chips)
    assert read_program(pid)["tier"] == "not_eligible"


def test_a_save_that_cannot_change_the_tier_sends_no_tier_update(client, make_program):
    pid = make_program(**LIKELY)
    body = save_cell(client, pid, "city", "Toledo", 1).get_data(as_text=True)
    assert "hx-swap-oob" not in body


def test_an_override_is_logged_survives_re_tiering_and_clears(app, client, make_program, read_program):
    client.post("/profile", data=PROFILE)
    pid = make_program(**LIKELY)

    response = save_cell(client, pid, "tier_override", "Reach", 1)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Reach" in body and "auto: Likely" in body
    save_cell(client, pid, "tier_override_reason", "Alumni warned me off", 2)

    client.post("/profile", data={**PROFILE, "step2_ck": "240"})  # re-tiers everything
    stored = read_program(pid)
    assert (stored["tier_override"], stored["tier"]) == ("reach", "likely")
    grid = client.get("/?tier=reach").get_data(as_text=True)
    assert f'id="p-{pid}"' in grid
    assert "You set this tier: Alumni warned me off." in client.get(f"/programs/{pid}/reasons").get_data(as_text=True)
    assert f'id="p-{pid}"' not in client.get("/?tier=likely").get_data(as_text=True)

    save_cell(client, pid, "tier_override", "", 3)
    assert read_program(pid)["tier_override"] is None
    assert f'id="p-{pid}"' in client.get("/?tier=likely").get_data(as_text=True)
    with app.app_context():
        logged = db.session.scalars(sa.select(Change.new_value).where(Change.field == "tier_override")).all()
    assert logged == ["reach", None]


def test_not_eligible_programs_are_hidden_until_asked_for(client, make_program):
    client.post("/profile", data=PROFILE)
    hidden = make_program(name="Hidden program", **{**LIKELY, "visa_j1": "no"})
    shown = make_program(name="Shown program", **LIKELY)
    grid = client.get("/").get_data(as_text=True)
    assert f'id="p-{shown}"' in grid and f'id="p-{hidden}"' not in grid
    chip = re.search(r'<a class="chip t-not_eligible"[^>]*href="([^"]+)"', grid).group(1)
    assert "hidden" in grid.split('class="chip t-not_eligible"')[1].split("</a>")[0]
    everything = client.get(chip.replace("&amp;", "&")).get_data(as_text=True)
    assert f'id="p-{hidden}"' in everything and f'id="p-{shown}"' in everything


def test_tracker_tier_recomputes_and_prints_the_counts(app, runner, client, make_program, read_program):
    client.post("/profile", data=PROFILE)
    pid = make_program(**LIKELY)
    with app.app_context():
        db.session.execute(sa.text("UPDATE program SET tier = NULL"))
        db.session.commit()
    result = runner.invoke(args=["tier"])
    assert result.exit_code == 0
    assert "Tiered 1 programs:" in result.output and re.search(r"Likely\s+1", result.output)
    assert read_program(pid)["tier"] == "likely"


def test_the_program_page_shows_the_tier_and_why(client, make_program):
    client.post("/profile", data=PROFILE)
    pid = make_program(**{**LIKELY, "visa_j1": "no"})
    page = client.get(f"/programs/{pid}").get_data(as_text=True)
    summary = page.split('<section class="tier-summary" aria-label="Tier">')[1].split("</section>")[0]
    assert '<span class="tier-badge t-not_eligible">Not eligible</span>' in summary
    assert '<li class="r-excludes">Does not sponsor J-1, which you need</li>' in summary


def test_the_grid_carries_no_reasons_and_a_tier_cell_fetches_its_own(client, make_program):
    """The reasons come when a tier is looked at (GET /programs/<id>/reasons), not in the page."""
    client.post("/profile", data=PROFILE)
    county = make_program(name="County", **LIKELY)
    page = client.get("/?tier=all").get_data(as_text=True)
    tier_cell = re.search(rf'<td data-f="tier_override" id="tier-{county}"[^>]*>.*?</td>', page, re.S).group(0)
    assert 'class="reasons"' not in tier_cell and "aria-describedby" not in tier_cell  # made when looked at
    assert "Sponsors J-1" not in page

    reasons = client.get(f"/programs/{county}/reasons")
    assert reasons.status_code == 200
    assert '<li class="r-supports">Sponsors J-1' in reasons.get_data(as_text=True)

    version = client.get(f"/programs/{county}/cells/tier_override").status_code and 1
    save_cell(client, county, "tier_override", "reach", version)
    save_cell(client, county, "tier_override_reason", "<b>mentor</b> says so", version + 1)
    text = client.get(f"/programs/{county}/reasons").get_data(as_text=True)
    assert "You set this tier: &lt;b&gt;mentor&lt;/b&gt; says so. Computed: Likely." in text


def test_reasons_of_a_deleted_or_missing_program_are_not_found(client, make_program):
    pid = make_program(name="Gone", **LIKELY)
    client.post(f"/programs/{pid}/delete")
    assert client.get(f"/programs/{pid}/reasons").status_code == 404
    assert client.get("/programs/999999/reasons").status_code == 404


def test_re_tiering_writes_only_the_programs_whose_tier_or_reasons_changed(app, client, make_program, read_program):
    from tracker.tiers import retier_all

    client.post("/profile", data=PROFILE)
    no_j1 = make_program(name="No J-1", **{**LIKELY, "visa_j1": "no"})
    ids = [no_j1, make_program(name="County", **LIKELY), make_program(name="Same either way", visa_j1="yes",
                                                                   visa_h1b="yes", img_percent=40)]
    before = {pid: (read_program(pid)["tier"], read_program(pid)["tier_reasons"]) for pid in ids}

    def rows_written(step) -> int:  # SQLite's own count of the rows its statements changed
        driver = db.session.connection().connection.dbapi_connection
        before = driver.total_changes
        step()
        return driver.total_changes - before

    with app.app_context():
        # nothing changed since the programs were saved: nothing is written
        assert rows_written(retier_all) == 0
        db.session.commit()
        db.session.execute(sa.update(Profile).values(visa_needed="H-1B"))
        written = rows_written(retier_all)  # only the J-1 refusal stops mattering
        db.session.commit()
    after = {pid: (read_program(pid)["tier"], read_program(pid)["tier_reasons"]) for pid in ids}
    changed = [pid for pid in ids if before[pid] != after[pid]]
    assert no_j1 in changed
    assert written == len(changed)
    assert read_program(no_j1)["tier"] != "not_eligible"


def test_reasons_text_reads_back_as_the_reasons_even_with_a_string_orjson_refuses():
    from tracker.tiers import reasons_json

    for reasons in ([["Step 2 CK 226 ≥ 220", "supports"], ["Visa: J-1", "excludes"]], [],
                    [["a lone surrogate from a file \ud800", "notes"]]):
        assert json.loads(reasons_json(reasons)) == reasons
