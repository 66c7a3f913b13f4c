"""Header matching and value normalisation (pure): the spellings real sheets use."""

import datetime as dt

import pytest

from tracker.importing.headers import VISA, find_header_row, match_header, pick_sheet
from tracker.importing.mapping import Column, convert_rows, map_columns
from tracker.importing.plan import Existing, make_plan
from tracker.importing.read import Sheet


@pytest.mark.parametrize("header, target, how", [
    ("Program Name", "name", "exact"),
    ("  PROGRAM  name ", "name", "exact"),
    ("Visa Sponsorship", VISA, "exact"),
    ("% IMG", "img_percent", "exact"),
    ("USMLE Step 2 CK Minimum", "step2_min", "exact"),
    ("Years Since Graduation", "yog_limit_years", "exact"),
    ("Program Contact Emails", "contact_email", "fuzzy"),
    ("Favourite colour", "", "none"),
    ("Tier", "", "none"),   # never "Ties": a short header is matched only exactly
    ("Tie", "", "none"),
])
def test_headers_match_by_spelling_then_fuzzily(header, target, how):
    found, confidence, found_how = match_header(header)
    assert (found, found_how) == (target, how)
    assert confidence == (100 if how == "exact" else 0 if how == "none" else confidence)
    if how == "fuzzy":
        assert 75 <= confidence < 100


def values_of(header: str, *cells):
    sheet = Sheet("s", [["Program Name", header]] + [[f"P{i}", c] for i, c in enumerate(cells)])
    rows = convert_rows(sheet, 0, map_columns(sheet, 0))
    return rows


@pytest.mark.parametrize("text, j1, h1b", [
    ("J1 & H1B", "yes", "yes"), ("both", "yes", "yes"), ("J-1; H-1B", "yes", "yes"), ("J-1, H-1B", "yes", "yes"),
    ("J-1", "yes", "no"), ("H-1B", "no", "yes"), ("No visas", "no", "no"), ("None", "no", "no"),
    ("Does not sponsor", "no", "no"),
])
def test_visa_spellings(text, j1, h1b):
    row = values_of("Visa", text)[0]
    assert (row.values["visa_j1"], row.values["visa_h1b"]) == (j1, h1b)


@pytest.mark.parametrize("text", ["N/A", "?", "-", "unknown", "  "])
def test_placeholders_are_blanks_that_never_overwrite(text):
    row = values_of("Visa", text)[0]
    assert "visa_j1" not in row.values and not row.skipped


def test_numbers_with_words_around_them():
    rows = values_of("Step 2 CK minimum", "225+", "pass", "none stated", "Not specified", "230")
    assert [r.values.get("step2_min") for r in rows] == [225, None, None, None, 230]
    rows = values_of("Years since graduation", "Within 5 years", "No limit", 3.0)
    assert [r.values.get("yog_limit_years") for r in rows] == [5, None, 3]


def test_percent_columns_of_fractions_and_of_percents():
    assert [r.values.get("img_percent") for r in values_of("% IMG", 0.35, 0.05, 1.0, 0)] == [35, 5, 100, 0]
    assert [r.values.get("img_percent") for r in values_of("% IMG", 35, "40%", 0.5, 1)] == [35, 40, 50, 1]


def test_excel_dates_codes_spaces_and_unicode():
    sheet = Sheet("s", [
        ["Program Name", "Program ID", "Date applied", "Interview", "City"],
        ["Cafe\u0301 Hospital  ", 1207206817.0, dt.datetime(2026, 9, 24, 0, 0), dt.datetime(2026, 11, 30, 9, 0),
         " Montréal "],
    ])
    row = convert_rows(sheet, 0, map_columns(sheet, 0))[0]
    assert row.values["name"] == "Café Hospital"  # NFC, trimmed
    assert row.values["program_code"] == "1207206817"
    assert row.values["date_applied"] == dt.date(2026, 9, 24)
    assert row.values["interview_date"] == dt.datetime(2026, 11, 30, 9, 0)
    assert row.values["city"] == "Montréal"


def test_a_bad_cell_is_left_out_and_a_row_without_a_name_is_invalid():
    sheet = Sheet("s", [["Program Name", "Positions", "Thank you sent"], ["Mercy", "lots", "Yes"], [None, "3", None]])
    first, second = convert_rows(sheet, 0, map_columns(sheet, 0))
    assert first.values == {"name": "Mercy"} and set(first.skipped) == {"positions", "thank_you_sent"}
    assert "“lots” left out. Enter a whole number" in first.skipped["positions"]
    assert second.errors == {"name": "No program name in this row."} and second.line == 3


def test_the_header_row_and_the_program_sheet_are_found():
    cover = Sheet("Cover", [["My residency list"], ["Prepared for my mentor"]])
    table = Sheet("List", [["Residency list 2027"], [None], ["Program", "State", "Visa"], ["Mercy", "TX", "J-1"]])
    assert pick_sheet([cover, table]) == 1
    assert find_header_row(table) == 2


def test_two_columns_for_one_field_keep_the_surer_match():
    sheet = Sheet("s", [["Program Name", "Program", "State"]])
    columns = map_columns(sheet, 0)
    assert [c.target for c in columns] == ["name", "", "state"]


def test_remembered_choices_win():
    sheet = Sheet("s", [["Program Name", "Visa"]])
    columns = map_columns(sheet, 0, {"1": "keep"})
    assert columns[1] == Column(1, "Visa", "keep", 100, "remembered", [])


def plan_for(rows, existing):
    sheet = Sheet("s", rows)
    return make_plan(convert_rows(sheet, 0, map_columns(sheet, 0)), existing)


def test_plan_matches_by_code_then_name_and_state():
    stored = [Existing(1, {"name": "Mercy Program", "state": "TX", "program_code": "123456", "city": "Waco"}),
              Existing(2, {"name": "Hope Hospital", "state": "CA", "program_code": None})]
    plan = plan_for([["Program Name", "Program ID", "State", "City"],
                     ["Mercy (renamed)", "123456", "TX", "Austin"],
                     ["HOPE   hospital", None, "CA", None],
                     ["Hope Hospital", None, "NV", None]], stored)
    kinds = [(r.kind, r.program_id) for r in plan.rows]
    assert kinds == [("changed", 1), ("unchanged", 2), ("new", None)]
    assert plan.rows[2].possibly_same[0] == 2  # offered, never merged


def test_plan_conflicts_only_where_a_person_set_the_value():
    stored = [Existing(1, {"name": "Mercy", "state": "TX", "city": "Waco", "positions": 4},
                       user_fields={"city"})]
    plan = plan_for([["Program Name", "State", "City", "Positions"], ["Mercy", "TX", "Austin", "6"]], stored)
    changes = {c.key: c.conflict for c in plan.rows[0].changes}
    assert changes == {"city": True, "positions": False} and plan.rows[0].kind == "conflict"


def test_plan_takes_a_second_row_for_the_same_program_as_a_repeat_and_refuses_a_deleted_match():
    stored = [Existing(1, {"name": "Mercy", "state": "TX"}), Existing(2, {"name": "Gone", "state": "TX"},
                                                                       deleted=True)]
    plan = plan_for([["Program Name", "State"], ["Mercy", "TX"], ["Mercy", "TX"], ["Gone", "TX"]], stored)
    assert [r.kind for r in plan.rows] == ["unchanged", "invalid"]
    assert plan.rows[0].repeat.lines == [2, 3]
    assert "which was deleted" in plan.rows[1].errors[0]


def test_possibly_the_same_needs_the_same_city_or_a_nearly_identical_name():
    stored = [Existing(1, {"name": "Riverside Family Medicine Program", "state": "OH", "city": "Dayton"})]
    plan = plan_for([["Program Name", "State", "City"],
                     ["Riverside Family Medicine Program East", "OH", "Toledo"],  # close name (93), another city
                     ["Riverside Family Med Program", "OH", "Dayton"]], stored)  # close name (92), same city
    assert plan.rows[0].possibly_same is None
    assert plan.rows[1].possibly_same[0] == 1


def test_possibly_the_same_is_the_best_close_name_in_the_city_however_many_rows_are_compared_at_once(monkeypatch):
    """The preview compares a block of new rows with a state's stored names at a time: the program
    offered is the closest name in the row's city (the earlier stored one among equals), whatever
    the block's size, and a stored name closer but in another city is passed over."""
    from tracker.importing import plan as planning

    stored = [Existing(i, {"name": f"Lakeside Internal Medicine Residency {i:02d}", "state": "MI",
                           "city": "Detroit" if i % 2 else "Lansing"}) for i in range(1, 41)]
    stored.append(Existing(41, {"name": "Lakeside Internal Medicine Residency", "state": "MI", "city": "Detroit"}))
    stored.append(Existing(42, {"name": "Lakeside Internal Medicine Residency", "state": "MI", "city": "Detroit"}))
    rows = [["Program Name", "State", "City"]] + [
        ["Lakeside Internal Medicine Residency X", "MI", "Detroit"],  # 41 and 42 are equally close: 41
        ["Lakeside Internal Medicine Residency 2", "MI", "Lansing"],  # 02 (Lansing) beats 21-29 (Detroit or not)
        ["Lakeside Internal Medicine Residency P2", "MI", "Lansing"],  # 41 (96, Detroit) passed over for 02
        ["Lakeside Internal Medicine Residency 3", "MI", "Flint"],  # none in Flint, 03 nearly identical (98)
        ["Lakeside Family Medicine Residency 3", "MI", "Detroit"],  # no close name
        ["Lakeside Internal Medicine Residency 3", "OH", "Detroit"],  # no stored programs in Ohio
    ]
    for cells in (2_000_000, 45, 1):  # all the rows at once, one row, one row against one state at a time
        monkeypatch.setattr(planning, "_CELLS", cells)
        offered = [r.possibly_same for r in plan_for(rows, stored).rows]
        assert [o and o[0] for o in offered] == [41, 2, 2, 3, None, None], cells
        assert offered[0][2] >= 97 and offered[1][1] == "Lakeside Internal Medicine Residency 02"


def test_a_row_reads_the_same_among_many_that_repeat_its_cells_as_it_does_alone():
    """Each distinct cell of a column is worked out once per import: the rows that repeat it still
    get their own values, messages and notes, and a tag list that one row changes is not another's."""
    headers = ["Program Name", "Mission tags", "Positions", "% IMG", "Thank you sent", "Website", "Program ID"]
    body = [
        ["Mercy", "Hispanic; Rural", 12, 0.4, "Yes", "https://a.org https://b.org", 1],
        ["Hope", "Hispanic; Rural", "lots", "40%", "No", "https://a.org https://b.org", 1.0],
        ["Grace", "Hispanic; Rural", 12, 0.4, "Yes", "https://a.org https://b.org", True],
        ["Mercy", "Hispanic; Rural", "lots", 0.4, "2026-10-01", "https://c.org", "1"],
    ]

    def fields_of(row):
        return row.values, row.skipped, row.errors, row.kept, row.program_id

    together = convert_rows(Sheet("s", [headers] + body), 0, map_columns(Sheet("s", [headers] + body), 0))
    alone = [convert_rows(Sheet("s", [headers, r]), 0, map_columns(Sheet("s", [headers] + body), 0))[0] for r in body]
    assert [fields_of(r) for r in together] == [fields_of(r) for r in alone]
    assert together[1].skipped and together[0].kept  # the cases a row's own messages and notes come from
    tags = [r.values["mission_tags"] for r in together]
    assert tags[0] == tags[2] and tags[0] is not tags[2]
