"""The mentor's workbook and the CSV: what the grid shows, as files."""

from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, Response, request

from ..changes import new_batch_id
from ..exporting import build_csv, build_workbook, export_filename
from ..listing import change_mark, export_summary, live_programs, shown_columns, shown_tiers
from ..models import utcnow

bp = Blueprint("exports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.xlsx")
def workbook():
    rows = live_programs(shown_tiers(request.args))
    wb = build_workbook(rows, shown_columns(request.args), export_summary(rows), new_batch_id(), utcnow(),
                        change_mark())
    out = io.BytesIO()
    wb.save(out)
    return _download(out.getvalue(), XLSX, export_filename(dt.date.today(), "xlsx"))


@bp.get("/export.csv")
def csv():
    rows = live_programs(shown_tiers(request.args))
    text = build_csv(rows, shown_columns(request.args))
    return _download(text.encode("utf-8"), "text/csv", export_filename(dt.date.today(), "csv"))
