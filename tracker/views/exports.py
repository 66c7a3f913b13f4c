"""The mentor's workbook and the CSV: what the grid shows, as files."""

from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, Response, request

from ..changes import change_mark, new_batch_id
from ..exporting import build_csv, build_workbook, export_filename
from ..listing import View, export_summary, query_view
from ..models import utcnow

bp = Blueprint("exports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _view_rows():
    """What the grid shows for the same query string: its filters, sort and columns, every page."""
    view = View.from_args(request.args)
    rows, _ = query_view(view, paged=False)
    return view, rows


@bp.get("/export.xlsx")
def workbook():
    view, rows = _view_rows()
    wb = build_workbook(rows, view.visible_columns, export_summary(rows), new_batch_id(), utcnow(), change_mark())
    out = io.BytesIO()
    wb.save(out)
    return _download(out.getvalue(), XLSX, export_filename(dt.date.today(), "xlsx"))


@bp.get("/export.csv")
def csv():
    view, rows = _view_rows()
    text = build_csv(rows, view.visible_columns)
    return _download(text.encode("utf-8"), "text/csv", export_filename(dt.date.today(), "csv"))
