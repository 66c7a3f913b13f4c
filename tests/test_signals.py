"""Gold and silver signals counted per institution against the season's counts, where the signals
left go, the census divisions and the one big-city threshold (issue 18). Pure: no Flask."""

import datetime as dt

import pytest

from tracker import fields, guidance, regions, signals
from tracker.analysis import analyse
from tracker.reminders import todays_list
from tracker.rules import Rules

NOW = dt.datetime(2026, 11, 25, 12, 0)


def prog(pid, specialty="internal_medicine", signal="none", **values):
    return {"id": pid, "name": f"Hospital {pid} Program", "version": 1, "specialty": specialty,
            "signal_sent": signal, "state": "OH", "status": "researching", "visa_j1": "yes", "visa_h1b": "yes",
            "img_percent": 40, **values}


def signalled(specialty, level, n, start=1):
    return [prog(start + i, specialty, level) for i in range(n)]


# -- the field --------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("Gold", "gold"), ("silver", "silver"), ("None", "none"), ("", "none"),
    ("yes", "gold"), ("Y", "gold"), ("no", "none"), ("unknown", "none"),  # a former yes/no cell, an old log text
])
def test_a_signal_is_none_gold_or_silver_and_a_former_yes_reads_as_gold(typed, stored):
    assert fields.get("signal_sent").parse(typed) == stored


def test_a_signal_refuses_anything_else_with_a_message():
    with pytest.raises(fields.FieldError, match="Signal: choose one of None, Gold, Silver"):
        fields.get("signal_sent").parse("bronze")


# -- counting per institution, at the counts' boundaries --------------------------

@pytest.mark.parametrize("specialty, gold, silver", [
    ("internal_medicine", 3, 12), ("anesthesiology", 5, 10), ("dermatology", 3, 25), ("diagnostic_radiology", 6, 6),
])
def test_two_level_counts_allow_exactly_their_gold_and_silver(specialty, gold, silver):
    at_count = signalled(specialty, "gold", gold) + signalled(specialty, "silver", silver, start=100)
    assert signals.warnings(at_count, Rules()) == []
    one_gold_more = at_count + [prog(999, specialty, "gold")]
    label = fields.get("specialty").label_for(specialty)
    assert signals.warnings(one_gold_more, Rules()) == [
        f"{gold + 1} {label} institutions have a gold signal; ERAS allows {gold} gold this season."]
    one_silver_more = at_count + [prog(999, specialty, "silver")]
    assert signals.warnings(one_silver_more, Rules()) == [
        f"{silver + 1} {label} institutions have a silver signal; ERAS allows {silver} silver this season."]


@pytest.mark.parametrize("specialty, count", [
    ("family_medicine", 5), ("pediatrics", 5), ("psychiatry", 10), ("neurology", 8), ("pathology", 5),
    ("emergency_medicine", 5), ("general_surgery", 15), ("transitional_year", 12),
])
def test_single_level_counts_take_gold_and_silver_together(specialty, count):
    at_count = signalled(specialty, "gold", count - 1) + [prog(500, specialty, "silver")]
    assert signals.warnings(at_count, Rules()) == []
    label = fields.get("specialty").label_for(specialty)
    assert signals.warnings(at_count + [prog(501, specialty, "gold")], Rules()) == [
        f"{count + 1} {label} institutions are signalled; ERAS allows {count} this season."]


def test_an_institutions_tracks_share_one_signal():
    # NRMP codes 1903140C0 and 1903140P0: institution 1903, categorical and preliminary tracks
    categorical = prog(1, signal="gold", name="Mercy Program", program_code="1903140C0")
    preliminary = prog(2, signal="gold", name="Mercy Prelim", program_code="1903140P0")
    other = prog(3, signal="gold", name="Elsewhere", program_code="2104140C0")
    # without a code: the same name before " - " or "(", in the same state
    named = [prog(4, signal="gold", name="Lakeside Hospital - Medicine"),
             prog(5, signal="gold", name="Lakeside Hospital Program (Internal Medicine, Preliminary)")]
    usage = signals.usage([categorical, preliminary, other, *named], Rules())
    assert [(u.specialty, len(u.gold), len(u.silver)) for u in usage] == [("internal_medicine", 3, 0)]
    assert signals.warnings([categorical, preliminary, other, *named], Rules()) == []  # 3 of 3 gold
    # the same name in another state is another institution
    assert len(signals.usage(named + [prog(6, signal="gold", name="Lakeside Hospital", state="TX")],
                             Rules())[0].gold) == 2


def test_an_institution_with_gold_and_silver_tracks_counts_as_gold():
    rows = [prog(1, signal="gold", program_code="1903140C0"), prog(2, signal="silver", program_code="1903140P0")]
    u = signals.usage(rows, Rules())[0]
    assert (len(u.gold), len(u.silver), u.text()) == (1, 0, "1 of 3 gold, 0 of 12 silver")


def test_the_profiles_limit_wins_over_the_seasons_count_gold_and_silver_together():
    profile = {"signal_limits": {"internal_medicine": 2}}
    two = [prog(1, signal="gold"), prog(2, signal="silver")]
    assert signals.warnings(two, Rules(), profile) == []
    assert signals.warnings(two + [prog(3, signal="silver")], Rules(), profile) == [
        "3 Internal Medicine institutions are signalled; your profile says you may send 2."]


def test_the_counts_are_the_rules_data():
    rows = signalled("psychiatry", "gold", 2)
    assert signals.warnings(rows, Rules(signal_counts=[["psychiatry", 2, 0]])) == []
    assert signals.warnings(rows, Rules(signal_counts=[["psychiatry", 1, 0]])) != []
    assert signals.usage(rows, Rules(signal_counts=[]))[0].text() == "2 (no count set)"


def test_deleted_programs_and_no_signal_are_not_counted():
    rows = [prog(1, signal="gold", deleted_at=NOW), prog(2, signal="none")]
    assert signals.usage(rows, Rules()) == []


# -- where the signals left go ----------------------------------------------------

def suggest(rows, profile=None, rules=None):
    return [(s.program_id, s.level) for s in signals.suggestions(rows, rules or Rules(), profile)]


def test_suggestions_are_img_friendly_programs_with_ties():
    profile = {"visa_needed": "J-1", "region_ties": "family in Texas"}
    rows = [
        prog(1, tier="likely", ties=["rotated"]),
        prog(2, tier="possible", state="TX"),  # the profile's region
        prog(3, tier="possible", ties=["alumni"], visa_j1="no"),  # does not sponsor the visa
        prog(4, tier="reach", ties=["alumni"]),  # not IMG-friendly enough
        prog(5, tier="likely"),  # no tie
        prog(6, tier="likely", ties=["contact"], signal="gold"),  # signalled already
    ]
    suggestions = signals.suggestions(rows, Rules(), profile)
    assert [s.program_id for s in suggestions] == [1, 2]
    assert suggestions[1].ties == ("region ties (TX)",)
    assert suggestions[0].detail == "Internal Medicine, gold signal; ties: Rotated here"


def test_suggestions_stop_at_the_signals_left_gold_first_then_silver():
    rules = Rules(signal_counts=[["internal_medicine", 1, 1]])
    rows = [prog(i, tier="likely", ties=["rotated"]) for i in range(1, 5)]
    assert suggest(rows, rules=rules) == [(1, "gold"), (2, "silver")]
    assert suggest(rows + [prog(9, signal="gold")], rules=rules) == [(1, "silver")]
    assert suggest(rows + [prog(9, signal="gold"), prog(10, signal="silver")], rules=rules) == []


def test_suggestions_name_one_track_per_institution_and_none_where_it_is_signalled():
    rows = [prog(1, tier="likely", ties=["rotated"], program_code="1903140C0"),
            prog(2, tier="likely", ties=["rotated"], program_code="1903140P0"),
            prog(3, tier="possible", ties=["alumni"], program_code="2104140C0"),
            prog(4, tier="possible", ties=["alumni"], program_code="2104140P0", signal="silver")]
    assert suggest(rows) == [(1, "gold")]


def test_a_specialty_without_a_count_gets_no_suggestion():
    assert suggest([prog(1, "med_peds", tier="likely", ties=["rotated"])]) == []


def test_todays_list_carries_the_suggestions_and_the_warnings():
    rows = [prog(1, tier="likely", ties=["rotated"])] + signalled("psychiatry", "gold", 11, start=10)
    today = todays_list(rows, NOW, Rules(), {"visa_needed": "J-1"})
    assert [(i.program_id, i.level) for i in today.signal] == [(1, "gold")]
    assert today.signal_warnings == ["11 Psychiatry institutions are signalled; ERAS allows 10 this season."]


@pytest.mark.parametrize("text, states", [
    ("Texas", {"TX"}), ("Chicago, IL and Ohio", {"IL", "OH"}), ("West Virginia", {"WV"}),
    ("the Midwest", set(regions.CENSUS_REGIONS["midwest"])),
    ("South Atlantic", set(regions.CENSUS_DIVISIONS["south_atlantic"][1])), ("", set()), ("in my home town", set()),
])
def test_region_ties_are_read_as_states(text, states):
    assert signals.tied_states({"region_ties": text}) == states


# -- census divisions -------------------------------------------------------------

def test_the_nine_divisions_hold_every_state_once():
    states = [s for _, members in regions.CENSUS_DIVISIONS.values() for s in members]
    assert len(regions.CENSUS_DIVISIONS) == 9 and len(states) == len(set(states)) == 51  # DC included
    assert set(states) == set(regions.REGION_OF_STATE)
    for _, members in regions.CENSUS_DIVISIONS.values():  # each division lies in one region
        assert len({regions.region(s) for s in members}) == 1
    assert regions.division("tx") == "west_south_central" and regions.division("PR") is None


def test_programs_in_the_preferred_divisions_are_counted_on_the_list():
    rows = [prog(1, state="OH", status="applied"), prog(2, state="MI", status="will_apply"),
            prog(3, state="CA", status="applied"), prog(4, state="OH", status="researching")]  # not on the list
    share = guidance.in_preferred_divisions(rows, {"geo_divisions": ["east_north_central"]})
    assert (share.count, share.total) == (2, 3)
    assert guidance.in_preferred_divisions(rows, {"geo_divisions": []}).count == 0


def test_the_geographic_preference_default_is_three_divisions():
    assert Rules().geographic_divisions_max == 3


# -- one big-city threshold -------------------------------------------------------

@pytest.mark.parametrize("coastal, total, concentrated", [(1, 4, False), (26, 100, True), (25, 100, False), (0, 0, False)])
def test_concentrated_in_big_cities_is_past_the_rules_share(coastal, total, concentrated):
    assert Rules().big_city_share_max == 25
    assert guidance.concentrated_in_big_cities(coastal, total, Rules()) is concentrated


def _season(coastal_applied, elsewhere_applied):
    rows = [prog(i, state="NY", city="Brooklyn", status="applied") for i in range(coastal_applied)]
    rows += [prog(100 + i, state="OH", city="Toledo", status="applied") for i in range(elsewhere_applied)]
    return rows


def test_the_analysis_reads_the_same_threshold():
    def advised(rows, rules):
        return any("big coastal cities" in a for a in analyse(rows, {}, rules, NOW.date()).advice)

    assert not advised(_season(1, 3), Rules())  # 25%: at the line
    assert advised(_season(2, 3), Rules())  # 40%
    assert not advised(_season(2, 3), Rules(big_city_share_max=40))
    assert advised(_season(1, 3), Rules(big_city_share_max=24))
