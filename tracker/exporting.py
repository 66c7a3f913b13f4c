"""Workbooks and CSV files for mentors, built from rows and the catalogue. Pure: no Flask,
no database. What the grid shows (its rows and columns) goes in; a styled openpyxl workbook
or CSV text comes out. No text ever becomes a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from copy import copy
from dataclasses import dataclass, field
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from . import fields, records
from .fields import Field, Kind
from .rules import TIER_LABELS
from .tiering import effective_tier

PROGRAMS_SHEET = "Programs"
SUMMARY_SHEET = "Summary"
LISTS_SHEET = "Lists"
TRACKER_SHEET = "_tracker"  # hidden: the export's id and each row's program id
TRACKER_MARK = "Residency Tracker export"
TIER_HEADER = "Tier"
ID_HEADER = "Tracker ID"
MENTOR_COMMENTS = "mentor_comments"  # always exported: the column the mentor writes in
CHART_COLUMN = "E"  # the Summary's chart starts there, beside the tables
CHART_COLUMNS = 9  # and spans about as many columns of the default width (14 cm)

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
    applicant: str = ""  # the applicant's name, printed in every page's header


# -- printing ----------------------------------------------------------------------
# A mentor prints the list: every page landscape on US Letter, one page wide, the header row and
# the program names on each page, the applicant's name above and the page number below.

def _header_text(text: str) -> str:
    """Text for a page header: "&" starts a code there (&P is the page number), so it is doubled;
    Excel refuses a header or footer longer than 255 characters."""
    return _xml_safe(" ".join(text.split()))[:120].replace("&", "&&")


def print_heading(summary: "Summary", created: dt.datetime) -> str:
    who = f"{summary.applicant.strip()}: " if summary.applicant and summary.applicant.strip() else ""
    return f"{who}residency programs, {created:%Y-%m-%d}"


PAGE_CHARS = 140  # column width (in characters) across a landscape Letter page at 100%, margins off
MIN_PRINT_SCALE = 0.55  # smaller than this, 8-point text is too small to read on paper


def pages_wide(widths: list[float]) -> int:
    """How many pages across the Programs sheet prints on: one, scaled down to fit, while that
    keeps the text legible (MIN_PRINT_SCALE); wider lists (every column of the catalogue) go on as
    few pages across as keep it so, each with the Program column repeated at its left."""
    across = PAGE_CHARS / MIN_PRINT_SCALE
    total = sum(widths)
    if total <= across:
        return 1
    first = widths[0]
    return math.ceil((total - first) / (across - first))


def _page_layout(ws, heading: str, *, fit_width: int = 1, fit_height: int = 0) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "1"  # US Letter
    ws.page_setup.fitToWidth = fit_width
    ws.page_setup.pageOrder = "overThenDown"  # a program's row across its pages before the next rows
    ws.page_setup.fitToHeight = fit_height  # 0: as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.oddHeader.center.text = _header_text(heading)
    ws.oddHeader.center.size = 10
    ws.oddFooter.left.text = _header_text(ws.title)
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.left.size = ws.oddFooter.right.size = 8


def export_filename(today: dt.date, ext: str) -> str:
    return f"residency-programs-{today.isoformat()}.{ext}"


# -- xlsx --------------------------------------------------------------------------
# The workbook is written in openpyxl's write-only mode: rows stream out as they are made,
# which keeps a 1,000-program export as fast as a plain pandas to_excel, styles included.

class _Styled:
    """Cell styles made once per workbook and copied onto cells: setting a font or fill
    hashes it each time, copying the made style is a small array copy (hot path: every cell)."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self._made: dict[str, Any] = {}

    def cell(self, value: Any, name: str, **style: Any) -> WriteOnlyCell:
        proto = self._made.get(name)
        if proto is None:
            proto = WriteOnlyCell(self.ws)
            for attr, setting in style.items():
                setattr(proto, attr, setting)
            self._made[name] = proto
        cell = WriteOnlyCell(self.ws, value=value)
        cell._style = copy(proto._style)
        return cell


def _xml_safe(text: str) -> str:
    """Control characters can't be stored in a workbook's XML: each becomes U+FFFD (the
    tracker keeps the text as typed; the CSV keeps it too)."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text) if ILLEGAL_CHARACTERS_RE.search(text) else text


def _text_cell(ws, text: str) -> WriteOnlyCell:
    text = _xml_safe(text)
    cell = WriteOnlyCell(ws, value=text)
    if is_risky(text):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def _value_cell(styled: _Styled, f: Field, value: Any) -> Any:
    """The cell (or plain value) for a non-empty stored value."""
    kind = f.kind
    if kind is Kind.INT:
        return value
    if kind is Kind.PERCENT:
        whole = float(value).is_integer()
        return styled.cell(value / 100, f"pct{whole}", number_format="0%" if whole else "0.0%")
    if kind is Kind.DATE:
        return styled.cell(value, "date", number_format="yyyy-mm-dd")
    if kind is Kind.DATETIME:
        return styled.cell(value, "datetime", number_format="yyyy-mm-dd hh:mm")
    if kind in (Kind.CHOICE, Kind.TRI, Kind.TAGS):
        text = f.display(value)
    else:
        text = str(value)
    text = _xml_safe(text)
    if is_risky(text):
        cell = _text_cell(styled.ws, text)
        if kind is Kind.LONG_TEXT:
            cell.alignment = WRAP
        return cell
    if kind is Kind.URL and text.startswith(("https://", "http://")):
        cell = styled.cell(text, "link", font=LINK_FONT)
        cell.hyperlink = text
        return cell
    if kind is Kind.LONG_TEXT:
        return styled.cell(text, "wrap", alignment=WRAP)
    return text


def _lists_sheet(wb: Workbook, columns: list[Field]) -> dict[str, str]:
    """A hidden sheet holding each choice column's labels; returns key -> range for validation."""
    sheet = wb.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    listed = [f for f in columns if f.kind in (Kind.CHOICE, Kind.TRI)]
    sheet.append([f.export_header for f in listed])
    longest = max((len(f.options) for f in listed), default=0)
    for i in range(longest):
        sheet.append([f.options[i].label if i < len(f.options) else None for f in listed])
    ranges = {}
    for col, f in enumerate(listed, start=1):
        letter = get_column_letter(col)
        ranges[f.key] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(f.options) + 1}"
    return ranges


def exported_columns(columns: Iterable[Field]) -> list[Field]:
    """The columns after the name and the tier: the chosen ones, and always the mentor's
    comments, where the mentor writes back whichever columns were chosen."""
    columns = [f for f in columns if f.key != "name"]
    if not any(f.key == MENTOR_COMMENTS for f in columns):
        columns.append(fields.get(MENTOR_COMMENTS))
    return columns


def build_workbook(rows: Iterable[Any], columns: list[Field], summary: Summary, export_id: str,
                   created: dt.datetime, change_mark: int = 0) -> Workbook:
    """The mentor's workbook: Programs (styled, filterable, validated; the chosen columns, the
    mentor's comments and the hidden Tracker ID), Summary (counts and a chart), and hidden
    sheets with the choice lists and the ids that bring edits back."""
    rows = list(rows)
    columns = exported_columns(columns)
    name_field = fields.get("name")
    wb = Workbook(write_only=True)
    wb.properties.title = "Residency programs"
    wb.properties.subject = "Residency application list"
    wb.properties.creator = "Residency Tracker"
    wb.properties.created = created
    ws = wb.create_sheet(PROGRAMS_SHEET)

    headers = [name_field.export_header, TIER_HEADER, *[f.export_header for f in columns], ID_HEADER]
    widths = [name_field.width + 4, 13, *[f.width + 3 for f in columns], 10]
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    id_col = len(headers)
    ws.column_dimensions[get_column_letter(id_col)].hidden = True
    ws.freeze_panes = "B2"
    # before the first row: the sheet's properties lead its XML; the Tracker ID is not printed
    _page_layout(ws, print_heading(summary, created), fit_width=pages_wide(widths[:-1]))

    header_cells = []
    for text in headers:
        cell = _text_cell(ws, text)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_BORDER, HEADER_ALIGN
        header_cells.append(cell)
    ws.append(header_cells)

    styled = _Styled(ws)
    for row in rows:
        name_text = _xml_safe(records.get(row, "name") or "")
        if is_risky(name_text):
            name = _text_cell(ws, name_text)
            name.alignment = TOP
        else:
            name = styled.cell(name_text, "name", alignment=TOP)
        out = [name, None]
        tier = effective_tier(row)
        if tier:
            fill, font = TIER_STYLES[tier]
            out[1] = styled.cell(TIER_LABELS[tier], tier, fill=fill, font=font)
        for f in columns:
            value = records.get(row, f.key)
            out.append(None if value is None or value == [] or value == "" else _value_cell(styled, f, value))
        out.append(records.get(row, "id"))
        ws.append(out)

    last_row = max(len(rows) + 1, 2)
    ws.auto_filter.ref = f"A1:{get_column_letter(id_col - 1)}{last_row}"
    ws.print_title_rows = "1:1"
    ws.print_title_cols = "A:A"
    ws.print_area = f"A1:{get_column_letter(id_col - 1)}{last_row}"  # the hidden Tracker ID left out

    _summary_sheet(wb, summary, len(rows), created)
    ranges = _lists_sheet(wb, columns)
    for c, f in enumerate(columns, start=3):
        if f.key in ranges:
            letter = get_column_letter(c)
            dv = DataValidation(type="list", formula1=f"={ranges[f.key]}", allow_blank=True,
                                errorStyle="warning", showErrorMessage=True,
                                errorTitle=f.export_header, error=f"Choose one of the listed values ({f.accepts})")
            dv.add(f"{letter}2:{letter}{max(last_row, 500)}")
            ws.data_validations.append(dv)
    _tracker_sheet(wb, rows, export_id, created, change_mark)
    return wb


def _bold(ws, text: str) -> WriteOnlyCell:
    cell = _text_cell(ws, text)
    cell.font = HEADER_FONT
    return cell


def _summary_sheet(wb: Workbook, summary: Summary, total: int, created: dt.datetime) -> None:
    ws = wb.create_sheet(SUMMARY_SHEET)
    _page_layout(ws, print_heading(summary, created), fit_height=1)  # one landscape page: tables and chart
    ws.column_dimensions["A"].width = 46  # "Applications (the whole list): advised and now" whole
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 14
    title = WriteOnlyCell(ws, value="Residency programs: summary")
    title.font = Font(bold=True, size=14)
    lines: list[list[Any]] = [
        [title],
        [f"{total} programs, exported {created:%Y-%m-%d %H:%M} UTC"],
        [],
        [_bold(ws, "Applicant")],
        *[[_text_cell(ws, label), _text_cell(ws, value)] for label, value in summary.profile_lines],
        [],
        [_bold(ws, "Programs by tier")],
    ]
    tier_first = len(lines) + 1
    lines += [[TIER_LABELS.get(k, k), n] for k, n in summary.by_tier.items()]
    tier_last = max(len(lines), tier_first)
    lines.append([])
    if summary.targets:
        lines.append([_bold(ws, "Applications (the whole list): advised and now"), _bold(ws, "Advised"),
                      _bold(ws, "On the list")])
        lines += [[_text_cell(ws, s), _text_cell(ws, advised), now] for s, advised, now in summary.targets]
        lines.append([])
    for title_text, counts, key in (("Programs by status", summary.by_status, "status"),
                                    ("Programs by specialty", summary.by_specialty, "specialty"),
                                    ("Programs by setting", summary.by_setting, "setting")):
        labels = {c.value: c.label for c in fields.get(key).choices}
        lines.append([_bold(ws, title_text)])
        lines += [[_text_cell(ws, labels.get(k, k or "Not set")), n] for k, n in counts.items()]
        lines.append([])
    for line in lines:
        ws.append(line)

    chart = BarChart()
    chart.type = "col"
    chart.title = "Programs by tier"
    chart.y_axis.title = "Programs"
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=tier_first, max_row=tier_last), titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=1, min_row=tier_first, max_row=tier_last))
    chart.height, chart.width = 8, 14  # cm: room for the four tier labels under their bars
    ws.add_chart(chart, f"{CHART_COLUMN}4")
    # the tables, and the chart beside them (CHART_COLUMNS of the default width)
    ws.print_area = f"A1:{get_column_letter(column_index_from_string(CHART_COLUMN) + CHART_COLUMNS)}{max(len(lines), 22)}"


def _tracker_sheet(wb: Workbook, rows: list[Any], export_id: str, created: dt.datetime, change_mark: int) -> None:
    """Hidden: what brings a returned copy back. The change mark is the last change-log entry
    at export time: what changed in the tracker after it can conflict with the mentor's edits."""
    ws = wb.create_sheet(TRACKER_SHEET)
    ws.sheet_state = "hidden"
    ws.append([TRACKER_MARK, 1])
    ws.append(["export id", export_id])
    ws.append(["created (UTC)", created.isoformat(timespec="seconds")])
    ws.append(["change mark", change_mark])
    ws.append(["program id", "version", "tier"])  # the tier shown: a mentor's change of it is read back
    for row in rows:
        ws.append([records.get(row, "id"), records.get(row, "version"), effective_tier(row)])


# -- csv ---------------------------------------------------------------------------

def csv_text(value: Any) -> Any:
    """A CSV cell: what the grid shows; text that a spreadsheet would run is prefixed with '."""
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value


def build_csv(rows: Iterable[Any], columns: list[Field]) -> str:
    """UTF-8 text with a BOM (so Excel reads accents), the same columns as the workbook."""
    columns = exported_columns(columns)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([fields.get("name").export_header, TIER_HEADER, *[f.export_header for f in columns]])
    for row in rows:
        tier = effective_tier(row)
        values = [records.get(row, "name"), TIER_LABELS.get(tier, "") if tier else ""]
        for f in columns:
            value = records.get(row, f.key)
            if f.kind is Kind.INT and value is not None:
                values.append(value)
            else:
                values.append(f.display(value) if value not in (None, [], "") else "")
        writer.writerow([csv_text(v) for v in values])
    return out.getvalue()
