"""Seasons: see them, start the next one (the list copied, the old season kept), switch, and
look back at a season that is over."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..db import db, write_transaction
from ..models import Program, Season
from ..seasons import start_season, switch_to
from ..store import all_seasons, current_profile, current_rules, current_season, live_programs_select

bp = Blueprint("seasons", __name__, url_prefix="/seasons")


def _counts() -> dict[int, int]:
    rows = db.session.execute(
        db.select(Program.season_id, db.func.count()).where(Program.deleted_at.is_(None)).group_by(Program.season_id))
    return dict(rows.all())


@bp.get("")
def index():
    current = current_season()
    db.session.commit()  # a first season may just have been made
    return render_template("seasons/index.html", seasons=all_seasons(), current=current, counts=_counts())


@bp.post("")
def start():
    write_transaction()
    year = request.form.get("year", type=int)
    if year is None or not 2000 <= year <= 2100:
        db.session.rollback()
        flash("Enter the Match year of the new season, for example 2028.", "error")
        return redirect(url_for("seasons.index")), 303
    try:
        season, copied = start_season(year)
    except ValueError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("seasons.index")), 303
    db.session.commit()
    flash(f"Started the {season.name} season with {copied} programs copied from last season, without their "
          "statuses, dates and notes of the application. The old season is kept as it was.", "ok")
    return redirect(url_for("grid.index"))


@bp.post("/<int:season_id>/current")
def make_current(season_id: int):
    write_transaction()
    season = db.get_or_404(Season, season_id, description="There is no such season.")
    switch_to(season)
    db.session.commit()
    flash(f"Now showing the {season.name} season.", "ok")
    return redirect(url_for("grid.index"))


@bp.get("/<int:season_id>/analysis")
def analysis(season_id: int):
    from ..analysis import SLICES, analyse

    season = db.get_or_404(Season, season_id, description="There is no such season.")
    programs = db.session.scalars(live_programs_select(season_id=season.id)).all()
    result = analyse(programs, current_profile(), current_rules())
    return render_template("seasons/analysis.html", season=season, result=result, slices=SLICES)
