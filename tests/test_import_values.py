"""Values a spreadsheet writes its own way (pure): percents typed as fractions or not in one
column, Excel's date serial numbers, and "Yes" in a date column."""

import datetime as dt

from samples import sample
from tracker.importing.mapping import Column, convert_rows, map_columns
from tracker.importing.plan import make_plan
from tracker.importing.read import Sheet, read_file


def values_of(header: str, *cells):
    sheet = Sheet("s", [["Program Name", header]] + [[f"P{i}", c] for i, c in enumerate(cells)])
    return convert_rows(sheet, 0, map_columns(sheet, 0))


def imgs(*cells, exported=False):
    sheet = Sheet("Programs", [["Program name", "IMG %"]] + [[f"P{i}", c] for i, c in enumerate(cells)])
    if exported:
        columns = [Column(0, "Program name", "name", exported=True), Column(1, "IMG %", "img_percent", exported=True)]
    else:
        columns = map_columns(sheet, 0)
    return [r.values.get("img_percent") for r in convert_rows(sheet, 0, columns)]


def test_a_percent_typed_among_fractions_is_a_percent_and_a_fraction_among_percents_a_fraction():
    assert imgs(0.35, 35, 0.05, 62) == [35, 35, 5, 62]
    assert imgs(0.35, 0.62, 1) == [35, 62, 100]  # all fractions: 1 is 100%
    assert imgs(35, 1, 0) == [35, 1, 0]  # whole numbers among percents stay percents
    assert imgs("0.35", "40", "12.5%") == [35, 40, 12.5]  # as a CSV gives them


def test_a_returned_exports_percent_column_is_fractions_except_a_percent_typed_by_the_mentor():
    assert imgs(0.62, 1, 35, 0, exported=True) == [62, 100, 35, 0]


def test_excel_date_serial_numbers_become_dates_and_times():
    applied = values_of("Date applied", 45900, 45900.75, "45901", 12, 999999)
    assert [r.values.get("date_applied") for r in applied] == [dt.date(2025, 8, 31), dt.date(2025, 8, 31),
                                                                dt.date(2025, 9, 1), None, None]
    assert "such as 2026-10-01" in applied[3].skipped["date_applied"]  # 12 is no date of a season
    interview = values_of("Interview date", 45900.5, 45900.604166667, 45900)
    assert [r.values.get("interview_date") for r in interview] == [
        dt.datetime(2025, 8, 31, 12, 0), dt.datetime(2025, 8, 31, 14, 30), dt.datetime(2025, 8, 31, 0, 0)]


def test_yes_in_a_date_column_is_kept_in_the_notes_and_said_in_the_preview():
    rows = values_of("Thank you sent", "Yes", "no", True, "2026-11-25")
    assert [r.values.get("thank_you_sent") for r in rows] == [None, None, None, dt.date(2026, 11, 25)]
    assert rows[0].kept == [("Thank you sent", "Yes")] and rows[2].kept == [("Thank you sent", "Yes")]
    assert "“Yes” has no date, so it is kept in the notes" in rows[0].skipped["thank_you_sent"]
    assert not rows[1].kept and not rows[1].skipped  # "no": not sent yet, as an empty cell says
    planned = make_plan(rows, []).rows[0]
    assert {c.key: c.new for c in planned.changes}["notes"] == "Thank you sent: Yes"
    assert any("has no date" in m for m in planned.messages)


def test_the_applicants_own_list_keeps_its_thank_you_yes_cells():
    sheets = read_file(sample("my_program_list.xlsx").read_bytes(), "my_program_list.xlsx")
    sheet = sheets[0]
    header = next(i for i, r in enumerate(sheet.rows) if "Thank you sent" in r)
    column = sheet.rows[header].index("Thank you sent")
    yes_lines = {header + 2 + i for i, r in enumerate(sheet.rows[header + 1:])
                 if isinstance(r[column], str) and r[column].strip().lower() == "yes"}
    assert yes_lines  # the sample has some
    rows = {r.line: r for r in convert_rows(sheet, header, map_columns(sheet, header))}
    for line in yes_lines:
        assert ("Thank you sent", "Yes") in [(h, t.title()) for h, t in rows[line].kept]
