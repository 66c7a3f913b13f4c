"""Issue 17 in the running tracker: the Tiering rules page under headings with every default
beside its rule, the specialty levels as data, the profile's new answers (either visa, Step 3
attempts, inpatient months, a clinical gap, the ECFMG certificate, languages and mission
experience), the programs' new fields in the grid, and rule sets saved by an older version."""

import html
import re

import sqlalchemy as sa

from forms import form_values
from tracker import rules
from tracker.db import db
from tracker.models import Profile, RuleSet

PROFILE = {
    "visa_needed": "J-1", "step1": "pass", "step1_attempts": "1", "step2_ck": "224", "step2_attempts": "1",
    "graduation_year": "2023", "season_year": "2027", "usce_months": "3", "usce_inpatient_months": "1",
    "us_letters": "2", "clinical_gap_months": "0", "ecfmg_certified": "yes", "languages": "English",
}
LIKELY = {"visa_j1": "yes", "visa_h1b": "no", "img_percent": 40, "non_us_img_count": 6, "setting": "county",
          "usce_required": "no", "specialty": "internal_medicine"}


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def stored_rules(app) -> dict | None:
    with app.app_context():
        stored = db.session.scalar(sa.select(RuleSet))
        return None if stored is None else dict(stored.values)


def stored_profile(app) -> dict:
    with app.app_context():
        profile = db.session.scalar(sa.select(Profile))
        return {c.key: getattr(profile, c.key) for c in Profile.__table__.columns}


def test_the_rules_page_groups_the_rules_under_headings_with_every_default_beside_its_rule(client):
    page = client.get("/settings").get_data(as_text=True)
    legends = re.findall(r"<legend>([^<]+)</legend>", page)
    assert legends == list(rules.GROUPS)
    rows = re.findall(r'<div class="form-row[^"]*">(.*?)</div>\s*(?=<div class="form-row|</fieldset>)', page, re.S)
    assert len(rows) == len(rules.describe()) and all("Default:" in row for row in rows)
    text = text_of(page)
    assert "Extremely competitive specialties" in text
    assert "Default: Dermatology, Orthopaedic Surgery, Diagnostic Radiology, Plastic Surgery" in text
    assert "Best tier when IMG presence is unknown" in text and "Default: Reach" in text
    assert "Default: 215" in text and "Default: 220" in text  # a band: its line and its top
    assert rules.RANGE_READING in text
    assert "(changed)" not in text


def test_saving_the_page_unchanged_stores_nothing_and_a_change_is_marked(app, client):
    data = form_values(client.get("/settings").get_data(as_text=True))
    assert client.post("/settings", data=data).status_code == 302
    assert stored_rules(app) == {}
    assert client.post("/settings", data={**data, "long_gap_months": "24"}).status_code == 302
    assert stored_rules(app) == {"long_gap_months": 24}
    text = text_of(client.get("/settings").get_data(as_text=True))
    assert "Default: 12 (changed)" in text


def test_a_specialty_s_level_is_data_that_re_tiers_the_list(app, client, make_program, read_program):
    client.post("/profile", data=PROFILE)  # Step 2 CK 224: below average
    derm = make_program(name="Dermatology at Mercy", **{**LIKELY, "specialty": "dermatology"})
    em = make_program(name="Emergency Medicine at Mercy", **{**LIKELY, "specialty": "emergency_medicine"})
    assert read_program(derm)["tier"] == "reach"
    assert ["Dermatology is extremely competitive with low scores: your Step 2 CK 224 is below 225", "lowers"] \
        in read_program(derm)["tier_reasons"]
    assert read_program(em)["tier"] == "possible"

    data = form_values(client.get("/settings").get_data(as_text=True))
    data["extremely_competitive_specialties"] = [s for s in data["extremely_competitive_specialties"]
                                                 if s != "dermatology"]
    data["more_competitive_specialties"] = data["more_competitive_specialties"] + ["dermatology"]
    assert client.post("/settings", data=data).status_code == 302
    assert read_program(derm)["tier"] == "possible"
    assert set(stored_rules(app)) == {"extremely_competitive_specialties", "more_competitive_specialties"}


def test_the_profile_takes_either_visa_with_a_preference_and_the_new_answers(app, client, make_program,
                                                                             read_program):
    h1b_only = make_program(name="H-1B only", **{**LIKELY, "visa_j1": "no", "visa_h1b": "yes"})
    border = make_program(name="Border program", **{**LIKELY, "mission_tags": ["border"]})
    client.post("/profile", data={**PROFILE, "step2_ck": "222", "visa_needed": "either",
                                  "visa_preference": "H-1B"})
    stored = stored_profile(app)
    assert (stored["visa_needed"], stored["visa_preference"]) == ("either", "H-1B")
    assert read_program(h1b_only)["tier"] == "possible"  # eligible now, with the articles' advice
    assert any("focusing on J-1–sponsoring, IMG-friendly programs is usually more realistic" in text
               for text, _ in read_program(h1b_only)["tier_reasons"])
    assert read_program(border)["tier"] == "possible"  # a low score and no mission fit

    response = client.post("/profile", data={**PROFILE, "step2_ck": "222", "languages": "English, Spanish",
                                             "mission_experience": ["border", "underserved"], "step3": "230",
                                             "step3_attempts": "2", "clinical_gap_months": "6",
                                             "visa_preference": "H-1B"}, follow_redirects=True)
    assert response.status_code == 200
    stored = stored_profile(app)
    assert stored["visa_preference"] is None  # a preference between two visas only
    assert stored["mission_experience"] == ["underserved", "border"]
    assert (stored["step3_attempts"], stored["clinical_gap_months"]) == (2, 6)
    assert read_program(border)["tier"] == "possible"  # the fit is there; the Step 3 taken twice lowers it
    reasons = [text for text, _ in read_program(border)["tier_reasons"]]
    assert "Mission fit: you speak Spanish (US-Mexico border)" in reasons
    assert "You took Step 3 2 times: a failed Step 3 can worsen any profile" in reasons

    page = client.get("/profile").get_data(as_text=True)
    assert form_values(page)["mission_experience"] == ["underserved", "border"]
    assert "Mission fit" in page and "ECFMG certificate" in page


def test_a_bad_profile_answer_is_refused_and_nothing_is_stored(app, client):
    for bad, message in [
        ({"usce_months": "1", "usce_inpatient_months": "2"}, "Inpatient months are among the hands-on months"),
        ({"visa_needed": "either", "visa_preference": "F-1"}, "Not a valid choice"),
        ({"ecfmg_certified": "soon"}, "Not a valid choice"),
        ({"step3_attempts": "9"}, "Number must be between 1 and 6."),
    ]:
        response = client.post("/profile", data={**PROFILE, **bad})
        assert response.status_code == 422, bad
        assert message in html.unescape(response.get_data(as_text=True)), bad
        with app.app_context():
            assert db.session.scalar(sa.select(Profile)) is None


def test_how_a_requirement_is_stated_is_a_grid_cell_that_re_tiers(client, make_program, read_program):
    client.post("/profile", data=PROFILE)
    pid = make_program(**{**LIKELY, "step2_min": 230})
    assert read_program(pid)["tier"] == "not_eligible"  # a minimum nobody marked as a preference: a cutoff
    response = client.post(f"/programs/{pid}/cells/step2_min_kind", data={"value": "Preferred", "version": 1},
                           headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/"})
    assert response.status_code == 200
    assert read_program(pid)["step2_min_kind"] == "preferred"
    assert read_program(pid)["tier"] == "reach"
    assert "Prefers a Step 2 CK of at least 230 (a preference, not a cutoff); your 224 is below it" in \
        html.unescape(client.get(f"/programs/{pid}/reasons").get_data(as_text=True))  # fetched on hover or focus


def test_the_non_us_img_share_is_a_grid_cell_beside_the_img_share(client, make_program, read_program):
    client.post("/profile", data={**PROFILE, "step2_ck": "232"})
    pid = make_program(**{**LIKELY, "non_us_img_count": None})
    assert read_program(pid)["tier"] == "possible"  # an all-IMG share alone
    page = client.get("/?col=all").get_data(as_text=True)
    assert page.index('data-f="img_percent"') < page.index('data-f="non_us_img_percent"')
    response = client.post(f"/programs/{pid}/cells/non_us_img_percent", data={"value": "15%", "version": 1},
                           headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/"})
    assert response.status_code == 200
    assert read_program(pid)["tier"] == "likely"


def test_every_page_a_profile_with_either_visa_reaches_answers(client, make_program):
    make_program(**LIKELY)
    client.post("/profile", data={**PROFILE, "visa_needed": "either"})
    for url in ("/", "/dashboard", "/today", "/settings", "/profile", "/export.xlsx", "/export.csv", "/programs/1", "/seasons/1/analysis"):
        response = client.get(url)
        assert response.status_code in (200, 302), url


def test_an_upgrade_lets_the_changed_defaults_reach_a_rule_set_saved_with_the_old_ones(app):
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        downgrade(revision="0010")
        db.session.execute(sa.text("INSERT INTO rule_set (\"values\", updated_at) VALUES (:v, CURRENT_TIMESTAMP)"),
                           {"v": '{"unknown_img_tier": "possible", "friendly_settings": ["county", "safety_net", '
                                 '"community", "fqhc"], "clear_img_percent": 30, "unknown_visa_tier": "possible"}'})
        db.session.commit()
        upgrade()
    assert stored_rules(app) == {"clear_img_percent": 30, "unknown_visa_tier": "possible"}
    with app.app_context():
        from tracker.store import current_rules

        assert current_rules().unknown_img_tier == "reach"
        assert "university_affiliated" in current_rules().friendly_settings
