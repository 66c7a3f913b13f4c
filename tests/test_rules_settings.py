"""The Tiering rules page with the Step 1, attempt and ERAS fee band rules: it renders, saves,
refuses bad fee bands without storing them, and loads a rule set saved by an older version."""

import html
import re

import sqlalchemy as sa

from forms import form_values
from tracker.db import db
from tracker.models import RuleSet

PROFILE = {
    "visa_needed": "J-1", "step1": "Pass", "step1_attempts": "1", "step2_ck": "230", "step2_attempts": "3",
    "step3": "", "graduation_year": "2023", "season_year": "2027", "usce_months": "3",
    "target_specialties": ["internal_medicine"],
}
LIKELY = {"visa_j1": "yes", "img_percent": 40, "non_us_img_count": 6, "setting": "county", "usce_required": "no",
          "specialty": "internal_medicine", "status": "applied"}
BANDS = "from program 1: $11 each\nfrom program 31: $30 each"


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def textarea(page: str, name: str) -> str:
    return html.unescape(re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S).group(1))


def stored_rules(app) -> dict | None:
    with app.app_context():
        stored = db.session.scalar(sa.select(RuleSet))
        return None if stored is None else dict(stored.values)


def test_the_page_shows_the_new_rules_and_the_2026_fee_bands(client):
    page = client.get("/settings").get_data(as_text=True)
    assert "Step 1 (old numeric score) below average" in page and "Failed attempts that count as several" in page
    assert textarea(page, "eras_fee_bands") == BANDS
    assert form_values(page)["eras_fee_season"] == "ERAS 2026 season (AAMC)"
    assert "ERAS fee: the first 10 programs" not in page


def test_saving_fee_bands_stores_them_and_the_dashboard_bills_by_them(app, client, make_program):
    make_program(**LIKELY)
    data = {**form_values(client.get("/settings").get_data(as_text=True)),
            "eras_fee_bands": "from program 1: $12 each\n21: 25"}
    assert client.post("/settings", data=data).status_code == 302
    assert stored_rules(app)["eras_fee_bands"] == [[1, 12], [21, 25]]

    page = client.get("/settings").get_data(as_text=True)
    assert textarea(page, "eras_fee_bands") == "from program 1: $12 each\nfrom program 21: $25 each"
    assert "Default: from program 1: $11 each; from program 31: $30 each" in text_of(page)
    cost = text_of(re.search(r'<table[^>]*id="cost-table".*?</table>', client.get("/dashboard").get_data(
        as_text=True), re.S).group(0))
    assert "Programs 1–20 $12 each Programs 21 and up $25 each" in cost and "Total 1 $12" in cost


def test_bad_fee_bands_are_refused_and_nothing_is_stored(app, client):
    data = form_values(client.get("/settings").get_data(as_text=True))
    for bands, message in [
        ("from program 2: $11 each", "The first band starts at program 1."),
        ("1: 11\n31: 30\n20: 40", "program 20 does not come after program 31"),
        ("1: 11\n31: -30", "The price from program 31 is negative: prices are $0 or more."),
        ("1: eleven dollars", 'Line 1: write each band as "from program 31: $30 each".'),
        ("", "Enter at least one"),
    ]:
        refused = client.post("/settings", data={**data, "eras_fee_bands": bands})
        assert refused.status_code == 422, bands
        body = text_of(refused.get_data(as_text=True))
        assert message in body, bands
        assert textarea(refused.get_data(as_text=True), "eras_fee_bands") == bands  # what was typed stays
        assert stored_rules(app) is None


def test_a_rule_set_saved_by_the_last_version_loads_and_saves(app, client):
    with app.app_context():
        db.session.add(RuleSet(values={
            "clear_img_percent": 30, "eras_fee_season": "ERAS 2026 (AAMC schedule for the 2025-26 season)",
            "eras_fee_first_10": 99, "eras_fee_11_20": 19, "eras_fee_21_30": 23, "eras_fee_31_up": 27,
        }))
        db.session.commit()
    page = client.get("/settings")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert form_values(body)["clear_img_percent"] == "30"
    assert textarea(body, "eras_fee_bands") == BANDS
    assert form_values(body)["eras_fee_season"] == "ERAS 2026 season (AAMC)"
    assert "ERAS 2026 season (AAMC)" in client.get("/dashboard").get_data(as_text=True)

    assert client.post("/settings", data=form_values(body)).status_code == 302
    stored = stored_rules(app)  # only what differs from the defaults: the fee bands are the defaults again
    assert stored == {"clear_img_percent": 30}


def test_the_attempts_rule_re_tiers_when_saved(client, make_program, read_program):
    client.post("/profile", data=PROFILE)  # Step 2 CK taken 3 times: 2 failed attempts
    pid = make_program(**LIKELY)
    assert read_program(pid)["tier"] == "reach"
    data = {**form_values(client.get("/settings").get_data(as_text=True)), "many_attempts": "3"}
    assert client.post("/settings", data=data).status_code == 302
    assert read_program(pid)["tier"] == "possible"


def test_a_step_1_requirement_typed_in_the_grid_re_tiers_the_program(client, make_program, read_program):
    client.post("/profile", data={**PROFILE, "step1": "fail", "step2_attempts": "1"})
    pid = make_program(**LIKELY)
    assert read_program(pid)["tier"] == "possible"  # a failed Step 1 is a red flag
    response = client.post(f"/programs/{pid}/cells/step1_requirement", data={"value": "pass", "version": 1},
                           headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/"})
    assert response.status_code == 200
    assert "Requires a passed Step 1; your profile records Step 1 as failed" in html.unescape(
        client.get(f"/programs/{pid}/reasons").get_data(as_text=True))  # fetched on hover or focus
    assert read_program(pid)["tier"] == "not_eligible"
