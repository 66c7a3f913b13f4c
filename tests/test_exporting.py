"""The mentor's workbook and the CSV, built from plain rows (pure), read back with openpyxl."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from tracker import fields
from tracker.exporting import (ID_HEADER, Summary, build_csv, build_workbook, export_filename)

CREATED = dt.datetime(2026, 11, 23, 18, 30)

ROWS = [
    {"id": 7, "version": 3, "name": "Gary County Medical Center Program (Internal Medicine)", "tier": "likely",
     "specialty": "internal_medicine", "state": "IN", "setting": "county", "positions": 12,
     "visa_j1": "yes", "visa_h1b": "unknown", "img_percent": 35.0, "step2_min": 220,
     "date_applied": dt.date(2026, 9, 24), "interview_date": dt.datetime(2026, 11, 30, 9, 0),
     "website": "https://gme.example.org/im", "mission_tags": ["underserved", "spanish"],
     "status": "interview_scheduled", "mission_notes": "Clinic for refugees.\nSpanish every day.",
     "program_code": "1403621114"},
    {"id": 9, "version": 1, "name": "=HYPERLINK(\"http://evil.example\",\"click\")", "tier": "reach",
     "tier_override": "not_eligible", "notes": "+SUM(1,2)", "city": "@Toledo", "img_origins": "-2+3",
     "mission_notes": "\tTabbed", "website": "javascript:alert(1)", "status": "researching"},
]
SUMMARY = Summary(profile_lines=[("Visa needed", "J-1")], by_tier={"likely": 1, "possible": 0, "reach": 0,
                                                                   "not_eligible": 1},
                  by_status={"interview_scheduled": 1, "researching": 1}, by_specialty={"internal_medicine": 1},
                  by_setting={"county": 1}, targets=[("Internal Medicine", "80–120", 1)])


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "out.xlsx"
    build_workbook(ROWS, list(fields.FIELDS), SUMMARY, "export-123", CREATED, change_mark=512).save(path)
    return openpyxl.load_workbook(path)


def column(ws, header):
    headers = [c.value for c in ws[1]]
    return headers.index(header) + 1


def test_sheets_properties_and_file_name(workbook):
    assert workbook.sheetnames == ["Programs", "Summary", "Lists", "_tracker"]
    assert [workbook[n].sheet_state for n in workbook.sheetnames] == ["visible", "visible", "hidden", "hidden"]
    assert workbook.properties.title == "Residency programs" and workbook.properties.created == CREATED
    assert export_filename(dt.date(2026, 11, 23), "xlsx") == "residency-programs-2026-11-23.xlsx"


def test_programs_header_is_bold_frozen_and_filtered(workbook):
    ws = workbook["Programs"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Program name", "Tier", "Tier (set by hand)"]
    assert headers[-2:] == ["Mentor comments", ID_HEADER]
    assert len(headers) == len(fields.FIELDS) + 2
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers) - 1)}3"
    assert ws.column_dimensions["A"].width == fields.get("name").width + 4
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(len(headers))].hidden


def test_real_numbers_dates_percentages_links_and_wrapped_text(workbook):
    ws = workbook["Programs"]
    assert ws.cell(2, column(ws, "Positions")).value == 12
    img = ws.cell(2, column(ws, "IMG residents %"))
    assert img.value == pytest.approx(0.35) and img.number_format == "0%"
    applied = ws.cell(2, column(ws, "Date applied"))
    assert applied.value == dt.datetime(2026, 9, 24) and applied.number_format == "yyyy-mm-dd"
    interview = ws.cell(2, column(ws, "Interview date"))
    assert interview.value == dt.datetime(2026, 11, 30, 9, 0) and interview.number_format == "yyyy-mm-dd hh:mm"
    site = ws.cell(2, column(ws, "Website"))
    assert site.hyperlink.target == "https://gme.example.org/im"
    assert ws.cell(2, column(ws, "Mission tags")).value == "Underserved, Spanish-speaking"
    assert ws.cell(2, column(ws, "Application status")).value == "Interview scheduled"
    assert ws.cell(2, column(ws, "Mission notes")).alignment.wrap_text
    assert ws.cell(2, column(ws, "Program code")).value == "1403621114"
    assert ws.cell(2, column(ws, ID_HEADER)).value == 7


def test_tier_cells_carry_the_grids_colours_and_an_override_wins(workbook):
    ws = workbook["Programs"]
    likely, overridden = ws.cell(2, 2), ws.cell(3, 2)
    assert likely.value == "Likely" and likely.fill.fgColor.rgb.endswith("DCF2E3")
    assert overridden.value == "Not eligible" and overridden.fill.fgColor.rgb.endswith("E6E8EB")


def test_no_text_becomes_a_formula(workbook):
    ws = workbook["Programs"]
    for header, text in [("Program name", ROWS[1]["name"]), ("Notes", "+SUM(1,2)"), ("City", "@Toledo"),
                         ("IMG origins", "-2+3"), ("Mission notes", "\tTabbed")]:
        cell = ws.cell(3, column(ws, header))
        assert cell.value == text and cell.data_type == "s", header
        assert cell.quotePrefix, header
    site = ws.cell(3, column(ws, "Website"))
    assert site.hyperlink is None  # only http(s) becomes a link


def test_choice_columns_have_dropdowns_from_the_lists_sheet(workbook):
    ws = workbook["Programs"]
    by_column = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter
    status = by_column[letter(column(ws, "Application status"))]
    assert status.type == "list" and status.formula1.startswith("=Lists!")
    list_column = status.formula1.split("!$")[1].split("$")[0]
    labels = [c.value for c in workbook["Lists"][list_column] if c.value is not None][1:]
    assert labels == [c.label for c in fields.get("status").choices]
    assert letter(column(ws, "Sponsors J-1")) in by_column  # tri-states too
    assert "A" not in by_column and letter(column(ws, "Notes")) not in by_column


def test_summary_has_counts_targets_and_a_chart(workbook):
    ws = workbook["Summary"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in values for v in row if v is not None]
    assert "Programs by tier" in flat and "Likely" in flat and "Not eligible" in flat
    assert "Internal Medicine" in flat and "80–120" in flat and "Interview scheduled" in flat
    assert len(ws._charts) == 1


def test_the_hidden_sheet_identifies_the_export_and_each_program(workbook):
    ws = workbook["_tracker"]
    assert ws["A1"].value == "Residency Tracker export"
    assert ws["B2"].value == "export-123" and ws["B3"].value == "2026-11-23T18:30:00"
    assert ws["B4"].value == 512
    assert [(r[0].value, r[1].value) for r in ws.iter_rows(min_row=6)] == [(7, 3), (9, 1)]


def test_csv_has_a_bom_the_same_columns_accents_and_no_formulas():
    rows = [dict(ROWS[0], name="Hôpital Montréal Program"), ROWS[1]]
    text = build_csv(rows, list(fields.FIELDS))
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[0][:3] == ["Program name", "Tier", "Tier (set by hand)"]
    assert len(parsed[0]) == len(fields.FIELDS) + 1
    assert parsed[1][0] == "Hôpital Montréal Program" and parsed[1][1] == "Likely"
    row2 = dict(zip(parsed[0], parsed[2]))
    assert row2["Program name"].startswith("'=HYPERLINK") and row2["Notes"] == "'+SUM(1,2)"
    assert row2["City"] == "'@Toledo" and row2["IMG origins"] == "'-2+3"
    assert dict(zip(parsed[0], parsed[1]))["IMG residents %"] == "35%"


def test_chosen_columns_come_with_the_mentor_comments_and_the_tracker_id(tmp_path):
    chosen = [fields.get(k) for k in ("name", "state", "status")]
    rows = [dict(ROWS[0], mentor_comments="Apply early"), ROWS[1]]
    path = tmp_path / "few.xlsx"
    build_workbook(rows, chosen, SUMMARY, "x", CREATED).save(path)
    ws = openpyxl.load_workbook(path)["Programs"]
    assert [c.value for c in ws[1]] == ["Program name", "Tier", "State", "Application status", "Mentor comments",
                                        ID_HEADER]
    assert [c.value for c in ws[2]][3:] == ["Interview scheduled", "Apply early", 7]
    assert ws.column_dimensions["F"].hidden
    parsed = list(csv.reader(io.StringIO(build_csv(rows, chosen).lstrip("\ufeff"))))
    assert parsed[0] == ["Program name", "Tier", "State", "Application status", "Mentor comments"]
    assert parsed[1][-1] == "Apply early"
