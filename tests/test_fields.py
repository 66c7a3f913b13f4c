"""The field catalogue: keys, and what each kind accepts, refuses and shows (no Flask)."""

import datetime as dt

import pytest

from tracker import fields
from tracker.fields import FieldError, Kind

CATALOGUE_KEYS = (
    "name, specialty, track, program_code, city, state, setting, mission_tags, positions, website, "
    "contact_email, visa_j1, visa_h1b, img_percent, non_us_img_count, img_origins, step1_requirement, "
    "step2_min, max_attempts, yog_limit_years, usce_required, mission_notes, notes, status, "
    "email_status, date_applied, signal_sent, interview_date, thank_you_sent, loi_sent, rank"
).split(", ")


TIER_KEYS = ["tier_override", "tier_override_reason"]
LATER_KEYS = ["mentor_comments", "interview_format", "interview_notes", "follow_up_on", "top_choice",
              "soap_list", "outcome"]
FREIDA_KEYS = ["accepting_applications", "eras_participation", "interviews_last_year", "data_updated_on",
               "us_md_percent", "do_percent"]  # issue 16: FREIDA's facts an applicant acts on
# how each requirement is stated, when the ECFMG certificate is due, the non-US IMG share
REQUIREMENT_KEYS = ["step2_min_kind", "max_attempts_kind", "yog_limit_kind", "ecfmg_by", "non_us_img_percent"]
SPECIALTY_KEYS = ["specialty_text"]  # issue 16: a specialty the catalogue can't place, as the file wrote it
SIGNAL_KEYS = ["ties"]  # issue 18: where signals go, "IMG-friendly programs with ties"
SEASON_KEYS = ["invited_at"]  # issue 18: answer an interview invitation within the 48 hours programs leave


def test_catalogue_declares_exactly_the_agreed_keys():
    assert sorted(fields.BY_KEY) == sorted(CATALOGUE_KEYS + TIER_KEYS + LATER_KEYS + FREIDA_KEYS + REQUIREMENT_KEYS
                                         + SPECIALTY_KEYS + SIGNAL_KEYS + SEASON_KEYS)


def test_every_field_has_a_group_an_export_header_and_import_spellings():
    for f in fields.FIELDS:
        assert f.group in fields.GROUPS
        assert f.export_header
        assert f.spellings, f.key


def test_every_kind_is_used():
    assert {f.kind for f in fields.FIELDS} == set(Kind)


# (field key, what a person types, what is stored, what the grid shows)
ACCEPTED = [
    ("name", "  Mercy Hospital Program  ", "Mercy Hospital Program", "Mercy Hospital Program"),
    ("mission_notes", "Refugee clinic\r\nSpanish", "Refugee clinic\nSpanish", "Refugee clinic\nSpanish"),
    ("positions", "12", 12, "12"),
    ("img_percent", "5,5", 5.5, "5.5%"),  # a decimal comma
    ("img_percent", "0.45", 45.0, "45%"),  # a fraction, as a spreadsheet's percent cell holds it
    ("img_percent", "0.45%", 0.5, "0.5%"),
    ("date_applied", "Oct 1, 2026", dt.date(2026, 10, 1), "2026-10-01"),
    ("interview_date", "11/30/2026 2:30 pm", dt.datetime(2026, 11, 30, 14, 30), "2026-11-30 14:30"),
    ("interview_date", "2026-11-30", dt.datetime(2026, 11, 30), "2026-11-30"),  # no time: the date alone
    ("img_percent", "35%", 35.0, "35%"),
    ("img_percent", "12.5", 12.5, "12.5%"),
    ("specialty", "internal medicine", "internal_medicine", "Internal Medicine"),
    ("specialty", "Internal Medicine-Pediatrics", "med_peds", "Med-Peds"),
    ("setting", "Community-based, university-affiliated", "university_affiliated", "University-affiliated community"),
    ("state", "texas", "TX", "TX"),
    ("visa_j1", "Y", "yes", "Yes"),
    ("visa_h1b", "", "unknown", "Unknown"),
    ("visa_h1b", "?", "unknown", "Unknown"),
    ("date_applied", "2026-09-24", dt.date(2026, 9, 24), "2026-09-24"),
    ("date_applied", "09/24/2026", dt.date(2026, 9, 24), "2026-09-24"),
    ("interview_date", "2026-11-30T14:30", dt.datetime(2026, 11, 30, 14, 30), "2026-11-30 14:30"),
    ("website", "www.mercy.example.org/gme", "https://www.mercy.example.org/gme", "https://www.mercy.example.org/gme"),
    ("contact_email", "GME@Mercy.example.org", "GME@mercy.example.org", "GME@mercy.example.org"),
    ("mission_tags", "Rural; global health", ["global_health", "rural"], "Global health, Rural"),
    ("step1_requirement", "Pass", "pass", "pass"),
    ("step1_requirement", "220+", "220", "220"),
    ("program_code", "1403621114.0", "1403621114", "1403621114"),
    ("status", "Interview invited", "interview_invited", "Interview invited"),
]


@pytest.mark.parametrize("key, typed, stored, shown", ACCEPTED)
def test_accepted_values_are_normalised_and_round_trip(key, typed, stored, shown):
    f = fields.get(key)
    assert f.parse(typed) == stored
    assert f.display(stored) == shown
    # the change log keeps to_text(); parsing it again gives the same stored value
    assert f.parse(f.to_text(stored)) == stored


# (field key, refused input, a phrase of the message saying what is accepted)
REFUSED = [
    ("name", "", "required"),
    ("name", "x" * 201, "at most 200 characters"),
    ("positions", "twelve", "whole number from 0 to 500"),
    ("positions", "2.5", "whole number"),
    ("positions", "-1", "from 0 to 500"),
    ("img_percent", "135%", "from 0% to 100%"),
    ("img_percent", "nan", "number"),
    ("specialty", "Dermatology-ish", "choose one of Internal Medicine"),
    ("visa_j1", "maybe", "Yes, No or Unknown"),
    ("date_applied", "next week", "such as 2026-10-01, 10/1/2026, 1 Oct 2026, Oct 1, today or tomorrow"),
    ("date_applied", "2026-02-30", "there is no day 30 in month 2 of 2026"),
    ("interview_date", "soon", "a time if you know it, such as 2026-10-01"),
    ("positions", "3,5", "enter a whole number"),
    ("img_percent", "12,500", "12,500 could be 12.5 or 12500"),
    ("website", "javascript:alert(1)", "http:// or https://"),
    ("website", "ftp://example.org", "http:// or https://"),
    ("contact_email", "not an email", "email address"),
    ("mission_tags", "rural, surfing", "'surfing' is not a tag"),
    ("step1_requirement", "high", "pass, none stated, or a minimum"),
    ("program_code", "12 34", "letters, digits and dashes"),
    ("mission_notes", "x" * 10_001, "at most 10,000 characters"),
]


@pytest.mark.parametrize("key, typed, phrase", REFUSED)
def test_refused_values_say_what_is_accepted(key, typed, phrase):
    with pytest.raises(FieldError) as caught:
        fields.get(key).parse(typed)
    assert phrase in str(caught.value)


def test_empty_input_means_unknown_never_no():
    assert fields.get("visa_j1").parse(None) == "unknown"
    assert fields.get("signal_sent").parse("") == "none"  # you know whether you sent a signal
    assert fields.get("step2_min").parse("") is None
    assert fields.get("mission_tags").parse("") == []
    assert fields.get("status").parse("") == "researching"


def test_parse_values_collects_every_error_and_refuses_unknown_keys():
    values, errors = fields.parse_values({"positions": "x", "visa_j1": "yes", "colour": "red"})
    assert values == {"visa_j1": "yes"}
    assert set(errors) == {"positions", "colour"}


def test_grouped_keeps_catalogue_order():
    flat = [f.key for _, group in fields.grouped() for f in group]
    assert flat == [f.key for f in fields.FIELDS]
    # the name comes first, then the tier, then the rest of the program's own columns
    assert [g for g, _ in fields.grouped()] == ["Program", "Tier", "Program", *fields.GROUPS[2:]]


def test_by_group_lists_each_group_once_with_all_its_fields():
    groups = fields.by_group()
    assert [g for g, _ in groups] == list(fields.GROUPS)
    assert sorted(f.key for _, group in groups for f in group) == sorted(fields.BY_KEY)
    assert groups[0][1][0].key == "name"


def test_a_new_application_column_starts_empty_in_a_new_season_unless_it_says_otherwise():
    assert fields.Field("essay", "Essay", fields.Kind.TEXT, "Application").per_season
    assert not fields.Field("beds", "Beds", fields.Kind.INT, "Program").per_season
    assert not fields.Field("kept", "Kept", fields.Kind.TEXT, "Application", per_season=False).per_season
    per_season = {f.key for f in fields.FIELDS if f.per_season}
    assert {"status", "interview_date", "mentor_comments", "tier_override"} <= per_season
    assert not per_season & {"name", "visa_j1", "img_percent", "step2_min", "notes"}


def test_the_statuses_say_where_they_stand_in_the_pipeline():
    assert fields.statuses(lambda c: c.open) == ("researching", "will_apply")
    assert fields.statuses(lambda c: c.closed) == ("rejected", "withdrawn")
    assert fields.statuses(lambda c: not c.on_list) == ("researching", "withdrawn")
    assert fields.statuses(lambda c: fields.reaches(c, "ranked")) == ("ranked", "matched")
    assert fields.sponsorship_fields("J-1") == ("visa_j1",) and fields.sponsorship_fields("none") == ()
    assert fields.sponsorship_fields(None) == ("visa_j1", "visa_h1b")
