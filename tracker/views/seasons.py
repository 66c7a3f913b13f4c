"""Seasons: see them, start the next one (the list copied, the old season kept), switch, and
look back at a season that is over."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, TimeField
from wtforms.validators import InputRequired

from ..db import db, write_transaction
from ..models import Program, Season
from ..season_dates import KEYS, LABELS, RANK_DEADLINE_TIME, SeasonDates, defaults_for, problems
from ..seasons import start_season, switch_to
from ..store import (all_seasons, current_profile, current_rules, current_season, live_programs_select,
                     previous_season, season_profile)
from ..tiers import retier_all
from .today import now

bp = Blueprint("seasons", __name__, url_prefix="/seasons")


def _counts() -> dict[int, int]:
    rows = db.session.execute(
        db.select(Program.season_id, db.func.count()).where(Program.deleted_at.is_(None)).group_by(Program.season_id))
    return dict(rows.all())


CONFIRM_NEEDED = ("Tick \u201cYes, start this season\u201d to start the {year} Match season: nothing was started. "
                  "Starting a season makes it the one every page shows.")


def _index(error: str | None = None, year: str | None = None, status: int = 200):
    current = current_season()
    db.session.commit()  # a first season may just have been made
    return render_template("seasons/index.html", seasons=all_seasons(), current=current, counts=_counts(),
                           error=error, year=year or str(current.year + 1)), status


@bp.get("")
def index():
    return _index()


@bp.post("")
def start():
    write_transaction()
    year = request.form.get("year", type=int)
    if year is None or not 2000 <= year <= 2100:
        db.session.rollback()
        return _index("Enter the Match year of the new season, for example 2028: nothing was started.",
                      request.form.get("year", ""), 422)
    if request.form.get("confirm") != "yes":
        db.session.rollback()
        return _index(CONFIRM_NEEDED.format(year=year), str(year), 422)
    try:
        season, copied = start_season(year)
    except ValueError as exc:
        db.session.rollback()
        return _index(f"{exc} Nothing was started.", str(year), 422)
    db.session.commit()
    flash(f"Started the {season.name} season with {copied} programs copied from last season, without their "
          "statuses, dates and notes of the application. The old season is kept as it was.", "ok")
    return redirect(url_for("grid.index"))


@bp.post("/<int:season_id>/current")
def make_current(season_id: int):
    write_transaction()
    season = db.get_or_404(Season, season_id, description="There is no such season.")
    switch_to(season)
    retier_all()  # with that season's profile
    db.session.commit()
    flash(f"Now showing the {season.name} season, with its profile.", "ok")
    return redirect(url_for("grid.index"))


@bp.get("/<int:season_id>/analysis")
def analysis(season_id: int):
    from ..analysis import SLICES, analyse
    from ..cycles import NOTHING_SIGNIFICANT

    season = db.get_or_404(Season, season_id, description="There is no such season.")
    programs = db.session.scalars(live_programs_select(season_id=season.id)).all()
    own = season_profile(season.id) or (current_profile() if season.current else None)
    previous = previous_season(season)
    previous_profile = season_profile(previous.id) if previous is not None and own is not None else None
    # a season from before profiles were per season has none of its own: its numbers read the current one
    result = analyse(programs, own or current_profile(), current_rules(), now().date(), season_year=season.year,
                     previous_profile=previous_profile)
    return render_template("seasons/analysis.html", season=season, result=result, slices=SLICES,
                           previous=previous, previous_profile=previous_profile, profile=own,
                           nothing_significant=NOTHING_SIGNIFICANT)


class SeasonDatesForm(FlaskForm):
    """The season's calendar; the rank-list deadline is a day and a time (US Eastern)."""

    eras_opens = DateField(LABELS["eras_opens"], [InputRequired("Enter the day applicants may submit.")])
    programs_review = DateField(LABELS["programs_review"], [InputRequired("Enter the day programs start reviewing.")])
    nrmp_opens = DateField(LABELS["nrmp_opens"], [InputRequired("Enter the day NRMP registration opens.")])
    nrmp_early_deadline = DateField(LABELS["nrmp_early_deadline"],
                                    [InputRequired("Enter the NRMP early registration deadline.")])
    ranking_opens = DateField(LABELS["ranking_opens"], [InputRequired("Enter the day ranking opens.")])
    rank_deadline = DateField("Rank-list deadline", [InputRequired("Enter the rank-list deadline.")])
    rank_deadline_time = TimeField("Rank-list deadline, time (US Eastern)",
                                   [InputRequired("Enter the time of the rank-list deadline, such as 21:00.")])
    match_week = DateField(LABELS["match_week"], [InputRequired("Enter the first day of Match Week.")])
    match_day = DateField(LABELS["match_day"], [InputRequired("Enter Match Day.")])


def _season_dates_form(season: Season) -> SeasonDatesForm:
    dates = season.dates or defaults_for(season.year)
    data = {key: getattr(dates, key) for key in KEYS}
    data["rank_deadline"] = dates.rank_deadline.date()
    data["rank_deadline_time"] = dates.rank_deadline.time()
    return SeasonDatesForm(data=data) if request.method == "GET" else SeasonDatesForm()


@bp.route("/<int:season_id>/dates", methods=["GET", "POST"])
def dates(season_id: int):
    """The season's dates: shown, edited, confirmed; an impossible calendar is refused (422)."""
    if request.method == "POST":
        write_transaction()
    season = db.get_or_404(Season, season_id, description="There is no such season.")
    form = _season_dates_form(season)
    if request.method == "POST":
        if form.validate():
            values = {key: form[key].data for key in KEYS}
            values["rank_deadline"] = dt.datetime.combine(form.rank_deadline.data,
                                                          form.rank_deadline_time.data or RANK_DEADLINE_TIME)
            new = SeasonDates(**values)
            for key, message in problems(new, season.year).items():
                form[key].errors = [*form[key].errors, message]
            if not any(form[key].errors for key in KEYS):
                season.set_dates(new, confirmed=True)
                db.session.commit()
                flash(f"The {season.name} dates are saved and confirmed.", "ok")
                return redirect(url_for("seasons.dates", season_id=season.id), 303)
        db.session.rollback()
        return render_template("seasons/dates.html", season=season, form=form), 422
    return render_template("seasons/dates.html", season=season, form=form)
