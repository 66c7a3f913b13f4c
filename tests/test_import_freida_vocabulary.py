"""FREIDA's data as applicants get it: its field names (snake_case, Title Case, field_…), its visa
lists, its setting labels and first-year positions, and the facts the catalogue now carries
(accepting applications, ERAS, interviews last year, % US MD and % DO, data last updated); and an
own list's combined visa header and Step 2 CK cut-off."""

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest

from test_imports import counts_in, import_file, programs

HEADERS = {  # one FREIDA column, as each kind of copy heads it
    "snake": ["program_name", "program_id", "city", "state", "specialty", "visa_statuses_accepted",
              "program_best_described_as", "first_year_positions", "accepting_applications",
              "participates_in_eras", "interviews_conducted_last_year", "percentage_of_img_residents",
              "percentage_of_us_md_residents", "percentage_of_do_residents", "data_last_updated"],
    "title": ["Program Name", "Program ID / ACGME ID", "City", "State", "Specialty", "Visa Status",
              "Program Best Described As", "First Year Positions", "Accepting Applications for 2026-2027",
              "Program Participates in ERAS", "Interviews Conducted Last Year for First Year Positions",
              "Percentage of IMG Residents", "Percentage of US MD Residents", "Percentage of DO Residents",
              "Data Last Updated"],
    "field": ["field_program_name", "field_program_id", "field_city", "field_state", "field_specialty",
              "field_visa_status", "field_program_best_described_as", "field_first_year_positions",
              "field_accepting_applications", "field_participates_in_eras", "field_interviews_conducted",
              "field_percentage_of_img_residents", "field_percent_us_md", "field_percent_do",
              "field_last_updated"],
}
ROWS = [
    ["Gary Regional Program", "1401100111", "Gary", "IN", "Internal Medicine", "['H-1B', 'J-1 through ECFMG']",
     "Community-based, university affiliated hospital", "12", "Yes", "Yes", "540", "0.45", "0.40", "0.15",
     "08/15/2026"],
    ["Joliet Program", "1401100222", "Joliet", "IL", "Internal Medicine", "['J-1 through ECFMG']",
     "University-based", "30", "No", "Yes", "1,200", "20", "60", "20", "2026-07-01"],
    ["Macon Program", "1401100333", "Macon", "GA", "Internal Medicine", "[]", "Community-based", "8", "", "",
     "", "", "", "", ""],
    ["Fort Program", "1401100444", "Fort Hood", "TX", "Internal Medicine", "['F-1']", "Military-based", "6",
     "Yes", "No", "90", "5", "70", "25", "1 Mar 2026"],
    ["Elsewhere Program", "1401100555", "Reno", "NV", "Internal Medicine", "J-1, H-1B", "Other", "4", "Yes",
     "Yes", "40", "50", "30", "20", "June 2026"],  # a month alone, as a source often dates its data
]


def csv_of(headers, rows) -> bytes:
    def cell(v):
        return f'"{v}"' if ("," in v or "'" in v) else v

    return ("\n".join(",".join(cell(v) for v in row) for row in [headers, *rows]) + "\n").encode()


@pytest.mark.parametrize("spelling", sorted(HEADERS))
def test_freida_columns_are_read_under_each_of_their_spellings(app, client, spelling):
    preview, _ = import_file(client, Path("freida.csv"), data=csv_of(HEADERS[spelling], ROWS), apply={})
    assert counts_in(preview)["new"] == 5 and counts_in(preview)["can't be imported"] == 0
    assert "is not a visa answer" not in preview  # [] and ['F-1'] are answers too
    by_code = {p.program_code: p for p in programs(app)}
    gary, joliet, macon, fort, reno = (by_code[c] for c in ("1401100111", "1401100222", "1401100333",
                                                           "1401100444", "1401100555"))
    assert (gary.visa_j1, gary.visa_h1b, gary.setting, gary.positions) == ("yes", "yes", "university_affiliated", 12)
    assert (joliet.visa_j1, joliet.visa_h1b, joliet.setting) == ("yes", "no", "university")
    assert (macon.visa_j1, macon.visa_h1b, macon.setting) == ("unknown", "unknown", "community")  # [] is not stated
    assert (fort.visa_j1, fort.visa_h1b, fort.setting) == ("no", "no", "other")  # F-1 only: neither sponsored
    assert (reno.visa_j1, reno.visa_h1b) == ("yes", "yes")
    assert (gary.accepting_applications, gary.eras_participation, gary.interviews_last_year) == ("yes", "yes", 540)
    assert (gary.img_percent, gary.us_md_percent, gary.do_percent) == (45, 40, 15)
    assert gary.data_updated_on == dt.date(2026, 8, 15)
    assert (joliet.accepting_applications, joliet.interviews_last_year, joliet.us_md_percent) == ("no", 1200, 60)
    assert (fort.eras_participation, fort.data_updated_on) == ("no", dt.date(2026, 3, 1))
    assert (macon.accepting_applications, macon.interviews_last_year, macon.data_updated_on) == ("unknown", None, None)
    assert reno.data_updated_on == dt.date(2026, 6, 1)  # "June 2026": its first day


def test_a_freida_list_now_tiers_by_its_visas_and_not_all_reach(app, client):
    saved = client.post("/profile", data={
        "visa_needed": "J-1", "step1": "Pass", "step1_attempts": "1", "step2_ck": "225", "step2_attempts": "1",
        "step3": "", "graduation_year": "2020", "season_year": "2027", "usce_months": "3",
        "observership_months": "2", "us_letters": "2", "languages": "", "region_ties": "",
        "target_specialties": ["internal_medicine"]})
    assert saved.status_code in (200, 302)
    import_file(client, Path("freida.csv"), data=csv_of(HEADERS["snake"], ROWS), apply={})
    tiers = {p.program_code: p.tier for p in programs(app)}
    assert tiers["1401100444"] == "not_eligible"  # F-1 only: no J-1
    assert tiers["1401100333"] != "not_eligible"  # unknown visa: not excluded on a guess


def test_an_own_lists_combined_visa_header_and_step_2_cut_off_are_read(app, client):
    csv = ("Program,State,J1 / H1B,Step-2 CK cut-off\n"
           "Alpha Program,OH,J1 only,225+\nBeta Program,OH,both,230\nGamma Program,OH,J1 & H1B,\n"
           "Delta Program,OH,No,215+\nEpsilon Program,OH,no visas,240 minimum\n")
    preview, _ = import_file(client, Path("own.csv"), data=csv.encode(), apply={})
    assert counts_in(preview)["new"] == 5 and "left out" not in preview
    got = {p.name: (p.visa_j1, p.visa_h1b, p.step2_min) for p in programs(app)}
    assert got == {"Alpha Program": ("yes", "no", 225), "Beta Program": ("yes", "yes", 230),
                   "Gamma Program": ("yes", "yes", None), "Delta Program": ("no", "no", 215),
                   "Epsilon Program": ("no", "no", 240)}


def test_the_new_facts_are_shown_filterable_and_exported(app, client):
    import_file(client, Path("freida.csv"), data=csv_of(HEADERS["title"], ROWS), apply={})
    gary = next(p for p in programs(app) if p.program_code == "1401100111")
    page = client.get(f"/programs/{gary.id}").get_data(as_text=True)
    assert "Accepting applications" in page and "Interviews last year" in page and "540" in page
    filtered = client.get("/?tier=all&f.eras_participation=no").get_data(as_text=True)
    assert "Fort Program" in filtered and "Gary Regional Program" not in filtered
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/export.xlsx?tier=all").data))
    headers = [c.value for c in wb["Programs"][1]]
    for header in ("Accepting applications this season", "Participates in ERAS", "Interviews last year",
                   "US MD residents %", "DO residents %", "Data last updated"):
        assert header in headers, header
