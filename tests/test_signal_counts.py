"""ERAS program signals per specialty and season as a rule (issue 18): the 2026 defaults, how
the rules page reads and refuses them, and the warning past the count when the profile sets
no limit of its own."""

import html
import re

import pytest
import sqlalchemy as sa

from forms import form_values
from tracker import rules
from tracker.db import db
from tracker.models import RuleSet
from tracker.rules import Rules


def test_the_2026_defaults_are_the_seasons_counts():
    r = Rules()
    assert r.signals("internal_medicine") == (3, 12)
    assert r.signals("anesthesiology") == (5, 10)
    assert r.signals("dermatology") == (3, 25)
    assert r.signals("diagnostic_radiology") == (6, 6)
    assert {s: r.signals(s) for s in ("family_medicine", "pediatrics", "psychiatry", "neurology", "pathology",
                                      "emergency_medicine", "general_surgery", "transitional_year")} == {
        "family_medicine": (5, 0), "pediatrics": (5, 0), "psychiatry": (10, 0), "neurology": (8, 0),
        "pathology": (5, 0), "emergency_medicine": (5, 0), "general_surgery": (15, 0), "transitional_year": (12, 0)}
    assert r.signals("med_peds") is None and r.signals(None) is None


def test_typed_counts_read_back_and_a_new_specialty_is_one_more_line():
    text = "Internal Medicine: 3 gold + 12 silver\nfamily medicine: 5\n\nMed-Peds = 4 and 2"
    counts = rules.parse_signal_counts(text)
    assert counts == [["internal_medicine", 3, 12], ["family_medicine", 5, 0], ["med_peds", 4, 2]]
    assert rules.format_signal_counts(counts) == ("Internal Medicine: 3 gold + 12 silver\nFamily Medicine: 5\n"
                                                  "Med-Peds: 4 gold + 2 silver")
    assert rules.parse_signal_counts(rules.format_signal_counts(Rules().signal_counts)) == Rules().signal_counts
    assert rules.parse_signal_counts("Psychiatry: 100") == [["psychiatry", 100, 0]]  # the most allowed


@pytest.mark.parametrize(("text", "message"), [
    ("Psychiatry: 101", "Psychiatry: 101 signals; at most 100."),
    ("Internal Medicine: 60 gold + 41 silver", "at most 100"),
    ("Cardiac Surgery: 3", '"Cardiac Surgery" is not one of the specialties.'),
    ("Psychiatry: ten", 'Line 1: write "Internal Medicine: 3 gold + 12 silver"'),
    ("Psychiatry: 10\nPsychiatry: 8", "Psychiatry is given twice."),
])
def test_bad_counts_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        rules.parse_signal_counts(text)


def test_a_stored_set_in_a_shape_no_longer_accepted_falls_back_to_the_defaults():
    assert Rules.from_mapping({"signal_counts": [["nonsense", 1, 1]]}).signal_counts == Rules().signal_counts
    assert Rules.from_mapping({"signal_counts": [["psychiatry", 2, 0]]}).signals("psychiatry") == (2, 0)


def _textarea(page: str) -> str:
    return html.unescape(re.search(r'<textarea[^>]*name="signal_counts"[^>]*>\r?\n?(.*?)</textarea>', page,
                                   re.S).group(1))


def _stored(app):
    with app.app_context():
        stored = db.session.scalar(sa.select(RuleSet))
        return None if stored is None else dict(stored.values)


def test_the_rules_page_saves_counts_and_refuses_bad_ones_storing_nothing(app, client):
    page = client.get("/settings").get_data(as_text=True)
    assert _textarea(page).startswith("Internal Medicine: 3 gold + 12 silver\nAnesthesiology: 5 gold + 10 silver")
    assert "Source: AAMC ERAS program signaling, 2026 season" in page
    data = form_values(page)
    refused = client.post("/settings", data={**data, "signal_counts": "Psychiatry: 101"})
    assert refused.status_code == 422 and "at most 100" in refused.get_data(as_text=True)
    assert _textarea(refused.get_data(as_text=True)) == "Psychiatry: 101" and _stored(app) is None
    assert client.post("/settings", data={**data, "signal_counts": "Psychiatry: 2"}).status_code == 302
    assert _stored(app)["signal_counts"] == [["psychiatry", 2, 0]]


def _save(client, program_id, key, value, version):
    return client.post(f"/programs/{program_id}/cells/{key}", data={"value": value, "version": version},
                       headers={"HX-Request": "true"})


def test_past_the_seasons_count_a_signal_warns_without_a_limit_in_the_profile(app, client, make_program,
                                                                               read_program):
    data = form_values(client.get("/settings").get_data(as_text=True))
    assert client.post("/settings", data={**data, "signal_counts": "Psychiatry: 1"}).status_code == 302
    make_program(name="Signalled Psych", specialty="psychiatry", signal_sent="yes")
    second = make_program(name="Another Psych", specialty="psychiatry")
    family = make_program(name="Family Program", specialty="family_medicine")
    body = _save(client, second, "signal_sent", "yes", 1).get_data(as_text=True)
    assert read_program(second)["signal_sent"] == "gold"  # saved ("yes" reads as Gold), with a warning
    assert "2 Psychiatry institutions are signalled; ERAS allows 1 this season." in body
    assert "signalled" not in _save(client, family, "signal_sent", "yes", 1).get_data(as_text=True)
