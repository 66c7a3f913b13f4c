"""Workbooks and CSV files for mentors, built from rows and the catalogue. Pure: no Flask,
no database. What the grid shows (its rows and columns) goes in; a styled openpyxl workbook
or CSV text comes out. No text ever becomes a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import fields
from .fields import Field, Kind
from .rules import TIER_LABELS

PROGRAMS_SHEET = "Programs"
SUMMARY_SHEET = "Summary"
LISTS_SHEET = "Lists"
TRACKER_SHEET = "_tracker"  # hidden: the export's id and each row's program id
TRACKER_MARK = "Residency Tracker export"
TIER_HEADER = "Tier"
ID_HEADER = "Tracker ID"

# Characters that make a spreadsheet read text as a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TIER_COLOURS = {  # (fill, font): the grid's light-mode colours
    "likely": ("DCF2E3", "17663A"),
    "possible": ("FDF0CC", "7A5200"),
    "reach": ("F7E1F0", "8A2D6B"),
    "not_eligible": ("E6E8EB", "555D68"),
}

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E4E9F0")
HEADER_BORDER = Border(bottom=Side(style="medium", color="8A94A3"))
HEADER_ALIGN = Alignment(wrap_text=True, vertical="bottom")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
LINK_FONT = Font(color="1F5FBF", underline="single")
TIER_STYLES = {t: (PatternFill("solid", fgColor=f), Font(bold=True, color=c)) for t, (f, c) in TIER_COLOURS.items()}


def _get(row: Any, key: str) -> Any:
    return row.get(key) if isinstance(row, Mapping) else getattr(row, key, None)


def is_risky(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


@dataclass
class Summary:
    """The Summary sheet: the applicant in brief, counts, and the application targets."""

    profile_lines: list[tuple[str, str]] = field(default_factory=list)
    by_tier: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    by_specialty: dict[str, int] = field(default_factory=dict)
    by_setting: dict[str, int] = field(default_factory=dict)
    targets: list[tuple[str, str, int]] = field(default_factory=list)  # (specialty, advised range, count now)


def export_filename(today: dt.date, ext: str) -> str:
    return f"residency-programs-{today.isoformat()}.{ext}"


def effective_tier(row: Any) -> str | None:
    return _get(row, "tier_override") or _get(row, "tier")


# -- xlsx --------------------------------------------------------------------------

def _write_text(cell, text: str) -> None:
    cell.value = text
    if is_risky(text):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited


def _write_value(cell, f: Field, value: Any) -> None:
    if value is None or value == [] or value == "":
        return
    kind = f.kind
    if kind is Kind.PERCENT:
        cell.value = value / 100
        cell.number_format = "0%" if float(value).is_integer() else "0.0%"
    elif kind is Kind.INT:
        cell.value = value
    elif kind is Kind.DATE:
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif kind is Kind.DATETIME:
        cell.value = value
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif kind is Kind.URL:
        _write_text(cell, value)
        if value.startswith(("https://", "http://")):
            cell.hyperlink = value
            cell.font = LINK_FONT
    elif kind in (Kind.CHOICE, Kind.TRI, Kind.TAGS):
        _write_text(cell, f.display(value))
    else:
        _write_text(cell, str(value))
    if kind is Kind.LONG_TEXT:
        cell.alignment = WRAP


def _lists_sheet(wb: Workbook, columns: list[Field]) -> dict[str, str]:
    """A hidden sheet holding each choice column's labels; returns key -> range for validation."""
    sheet = wb.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    ranges = {}
    col = 0
    for f in columns:
        if f.kind not in (Kind.CHOICE, Kind.TRI):
            continue
        col += 1
        letter = get_column_letter(col)
        sheet.cell(1, col, f.export_header)
        for i, choice in enumerate(f.options, start=2):
            sheet.cell(i, col, choice.label)
        ranges[f.key] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(f.options) + 1}"
    return ranges


def build_workbook(rows: Iterable[Any], columns: list[Field], summary: Summary, export_id: str,
                   created: dt.datetime, change_mark: int = 0) -> Workbook:
    """The mentor's workbook: Programs (styled, filterable, validated), Summary (counts and a
    chart), and hidden sheets with the choice lists and the ids that bring edits back."""
    rows = list(rows)
    columns = [f for f in columns if f.key != "name"]
    name_field = fields.get("name")
    wb = Workbook()
    ws = wb.active
    ws.title = PROGRAMS_SHEET
    wb.properties.title = "Residency programs"
    wb.properties.subject = "Residency application list"
    wb.properties.creator = "Residency Tracker"
    wb.properties.created = created

    headers = [name_field.export_header, TIER_HEADER, *[f.export_header for f in columns], ID_HEADER]
    for c, text in enumerate(headers, start=1):
        cell = ws.cell(1, c)
        _write_text(cell, text)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_BORDER, HEADER_ALIGN
    widths = [name_field.width + 4, 13, *[f.width + 3 for f in columns], 10]
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    id_col = len(headers)
    ws.column_dimensions[get_column_letter(id_col)].hidden = True

    for r, row in enumerate(rows, start=2):
        name_cell = ws.cell(r, 1)
        _write_text(name_cell, _get(row, "name") or "")
        name_cell.alignment = TOP
        tier = effective_tier(row)
        if tier:
            cell = ws.cell(r, 2, TIER_LABELS[tier])
            cell.fill, cell.font = TIER_STYLES[tier]
        for c, f in enumerate(columns, start=3):
            _write_value(ws.cell(r, c), f, _get(row, f.key))
        ws.cell(r, id_col, _get(row, "id"))

    last_row = max(len(rows) + 1, 2)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(id_col - 1)}{last_row}"

    _summary_sheet(wb, summary, len(rows), created)
    ranges = _lists_sheet(wb, columns)
    for c, f in enumerate(columns, start=3):
        if f.key in ranges:
            letter = get_column_letter(c)
            dv = DataValidation(type="list", formula1=f"={ranges[f.key]}", allow_blank=True,
                                errorStyle="warning", showErrorMessage=True,
                                errorTitle=f.export_header, error=f"Choose one of the listed values ({f.accepts})")
            dv.add(f"{letter}2:{letter}{max(last_row, 500)}")
            ws.add_data_validation(dv)

    _tracker_sheet(wb, rows, export_id, created, change_mark)
    return wb


def _table(ws, row: int, title: str, counts: Mapping[str, int], labels: Mapping[str, str]) -> tuple[int, int]:
    ws.cell(row, 1, title).font = HEADER_FONT
    first = row + 1
    for i, (key, n) in enumerate(counts.items()):
        _write_text(ws.cell(first + i, 1), labels.get(key, key or "Not set"))
        ws.cell(first + i, 2, n)
    return first, first + max(len(counts), 1) - 1


def _summary_sheet(wb: Workbook, summary: Summary, total: int, created: dt.datetime) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 14
    ws["A1"] = "Residency programs: summary"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"{total} programs, exported {created:%Y-%m-%d %H:%M} UTC"
    row = 4
    ws.cell(row, 1, "Applicant").font = HEADER_FONT
    for label, value in summary.profile_lines:
        row += 1
        _write_text(ws.cell(row, 1), label)
        _write_text(ws.cell(row, 2), value)
    row += 2
    tier_first, tier_last = _table(ws, row, "Programs by tier", summary.by_tier, TIER_LABELS)
    row = tier_last + 2
    if summary.targets:
        ws.cell(row, 1, "Applications: advised and now").font = HEADER_FONT
        ws.cell(row, 2, "Advised").font = HEADER_FONT
        ws.cell(row, 3, "On the list").font = HEADER_FONT
        for specialty, advised, now in summary.targets:
            row += 1
            _write_text(ws.cell(row, 1), specialty)
            _write_text(ws.cell(row, 2), advised)
            ws.cell(row, 3, now)
        row += 2
    status_labels = {c.value: c.label for c in fields.get("status").choices}
    _, last = _table(ws, row, "Programs by status", summary.by_status, status_labels)
    specialty_labels = {c.value: c.label for c in fields.get("specialty").choices}
    _, last = _table(ws, last + 2, "Programs by specialty", summary.by_specialty, specialty_labels)
    setting_labels = {c.value: c.label for c in fields.get("setting").choices}
    _table(ws, last + 2, "Programs by setting", summary.by_setting, setting_labels)

    chart = BarChart()
    chart.type = "col"
    chart.title = "Programs by tier"
    chart.y_axis.title = "Programs"
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=tier_first, max_row=tier_last), titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=1, min_row=tier_first, max_row=tier_last))
    chart.height, chart.width = 7, 12
    ws.add_chart(chart, "E4")


def _tracker_sheet(wb: Workbook, rows: list[Any], export_id: str, created: dt.datetime, change_mark: int) -> None:
    """Hidden: what brings a returned copy back. The change mark is the last change-log entry
    at export time: what changed in the tracker after it can conflict with the mentor's edits."""
    ws = wb.create_sheet(TRACKER_SHEET)
    ws.sheet_state = "hidden"
    ws["A1"], ws["B1"] = TRACKER_MARK, 1
    ws["A2"], ws["B2"] = "export id", export_id
    ws["A3"], ws["B3"] = "created (UTC)", created.isoformat(timespec="seconds")
    ws["A4"], ws["B4"] = "change mark", change_mark
    ws["A5"], ws["B5"] = "program id", "version"
    for r, row in enumerate(rows, start=6):
        ws.cell(r, 1, _get(row, "id"))
        ws.cell(r, 2, _get(row, "version"))


# -- csv ---------------------------------------------------------------------------

def csv_text(value: Any) -> Any:
    """A CSV cell: what the grid shows; text that a spreadsheet would run is prefixed with '."""
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value


def build_csv(rows: Iterable[Any], columns: list[Field]) -> str:
    """UTF-8 text with a BOM (so Excel reads accents), the same columns as the workbook."""
    columns = [f for f in columns if f.key != "name"]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([fields.get("name").export_header, TIER_HEADER, *[f.export_header for f in columns]])
    for row in rows:
        tier = effective_tier(row)
        values = [_get(row, "name"), TIER_LABELS.get(tier, "") if tier else ""]
        for f in columns:
            value = _get(row, f.key)
            if f.kind is Kind.INT and value is not None:
                values.append(value)
            else:
                values.append(f.display(value) if value not in (None, [], "") else "")
        writer.writerow([csv_text(v) for v in values])
    return out.getvalue()
