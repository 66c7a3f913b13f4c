"""The rules as data: ERAS fee bands typed, checked and shown back; rule sets stored by an
older version still load. Pure: no Flask and no database."""

import pytest

from tracker.rules import Rules, check_fee_bands, describe, format_fee_bands, parse_fee_bands


def test_the_default_fee_bands_are_the_aamc_2026_schedule():
    rules = Rules()
    assert rules.eras_fee_bands == [[1, 11], [31, 30]]
    assert rules.eras_fee_season == "ERAS 2026 season (AAMC)"
    assert format_fee_bands(rules.eras_fee_bands) == "from program 1: $11 each\nfrom program 31: $30 each"


@pytest.mark.parametrize("text", [
    "from program 1: $11 each\nfrom program 31: $30 each",
    "1: 11\n31: 30",
    "  from 1 $11\n\n31 $30 each  ",
    "From Program 1: $11 Each\r\nFrom Program 31: $30.00 each",
])
def test_fee_bands_are_typed_one_a_line(text):
    assert parse_fee_bands(text) == [[1, 11], [31, 30]]


def test_what_is_shown_reads_back_the_same():
    bands = [[1, 0], [11, 19], [21, 1000]]
    assert parse_fee_bands(format_fee_bands(bands)) == bands


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter at least one band"),
    ("from program 2: $11 each", "The first band starts at program 1."),
    ("1: 11\n31: 30\n31: 40", "program 31 does not come after program 31"),
    ("1: 11\n31: 30\n20: 40", "program 20 does not come after program 31"),
    ("1: 11\n31: -30", "The price from program 31 is negative"),
    ("1: 11\n31: $-30", "The price from program 31 is negative"),
    ("1: 11\nthirty-one: 30", "Line 2: write each band as \"from program 31: $30 each\"."),
    ("1-30: 11", "Line 1:"),
    ("130", "Line 1:"),
    ("1: 1001", "over $1,000"),
])
def test_bad_fee_bands_say_what_is_wrong(text, message):
    with pytest.raises(ValueError) as error:
        parse_fee_bands(text)
    assert message in str(error.value)


def test_too_many_bands_are_refused():
    with pytest.raises(ValueError, match="at most 10 bands"):
        check_fee_bands([[n, 1] for n in range(1, 12)])


def test_a_rule_set_from_the_last_version_loads_with_this_seasons_fees():
    stored = {
        "clear_img_percent": 30, "eras_fee_season": "ERAS 2026 (AAMC schedule for the 2025-26 season)",
        "eras_fee_first_10": 99, "eras_fee_11_20": 19, "eras_fee_21_30": 23, "eras_fee_31_up": 27,
    }
    rules = Rules.from_mapping(stored)
    assert rules.clear_img_percent == 30  # what the user set is kept
    assert rules.eras_fee_bands == [[1, 11], [31, 30]]
    assert rules.eras_fee_season == "ERAS 2026 season (AAMC)"  # the old name described the old fees
    assert "eras_fee_first_10" not in rules.as_dict()


def test_stored_fee_bands_load_and_a_broken_shape_falls_back_to_the_defaults():
    assert Rules.from_mapping({"eras_fee_bands": [[1, 12], [21, 25]], "eras_fee_season": "ERAS 2027"}) \
        == Rules(eras_fee_bands=[[1, 12], [21, 25]], eras_fee_season="ERAS 2027")
    for broken in ("1: 11", [[2, 11]], [[1, "11"]], [], None, [[1, 11, 3]]):
        assert Rules.from_mapping({"eras_fee_bands": broken}).eras_fee_bands == [[1, 11], [31, 30]]


def test_changing_one_rule_set_leaves_the_defaults_alone():
    changed = Rules()
    changed.eras_fee_bands[0][1] = 50
    assert Rules().eras_fee_bands == [[1, 11], [31, 30]]
    assert next(d for d in describe() if d["name"] == "eras_fee_bands")["default"] == [[1, 11], [31, 30]]


def test_the_new_thresholds_are_described_for_the_settings_page():
    described = {d["name"]: d for d in describe()}
    assert described["step1_below_average"]["default"] == 215
    assert described["many_attempts"]["default"] == 2
    assert described["eras_fee_bands"]["kind"] == "fee_bands"
    assert not {"eras_fee_first_10", "eras_fee_11_20", "eras_fee_21_30", "eras_fee_31_up"} & described.keys()
