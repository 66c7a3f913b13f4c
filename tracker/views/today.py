"""What to do today: thank-you notes due, invitations to answer, follow-ups, programs to
research, Likely and Possible programs not applied to. Each item is done in place."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for

from .. import fields
from ..changes import StaleVersion, ValidationFailed, commit, update_program
from ..db import db, write_transaction
from ..models import Program
from ..signals import LEVELS
from ..reminders import research_item, season_has_started, todays_list
from ..store import current_profile, current_rules, current_season, live_programs
from ._htmx import get_live_program, is_htmx, posted_version
from .mentors import newest_comments

bp = Blueprint("today", __name__)

SECTIONS = [
    ("thank_you", "Thank-you notes", "A short, specific thank-you email to each program, 24-72 hours after the interview."),
    ("invitation", "Invitations to answer", "Answer interview invitations promptly: slots go fast."),
    ("letter", "Letter of interest to your top choice",
     "Between your last interview and the rank-list deadline: one sincere, specific letter to your one top choice."),
    ("follow_up", "Follow-ups you planned", "The dates you set in the Follow up on column."),
    ("ties_email", "Programs where you have ties",
     "After applying, one brief email to each program where you rotated or have ties; never repeated."),
    ("apply", "Likely and Possible programs not applied to", "Likely and Possible programs deserve an application first."),
    ("signal", "Where to signal", "ERAS signals go to IMG-friendly programs (Likely or Possible, your visa sponsored) "
                                  "where you have ties: a rotation, your school's alumni, family, your region."),
    ("research", "Still to research", "Unknown visa or IMG data: check FREIDA and the program's website."),
]

# What "done" sets, for each kind of item (research is done by filling in the data: research()).
ACTIONS = {
    "thank_you": ("Mark sent", lambda today: {"thank_you_sent": today, "email_status": "thank_you_sent"},
                  "Thank-you marked sent"),
    "invitation": ("Mark scheduled", lambda today: {"status": "interview_scheduled"}, "Interview marked scheduled"),
    "letter": ("Mark sent", lambda today: {"loi_sent": today, "email_status": "loi_sent"},
               "Letter of interest marked sent"),
    "ties_email": ("Mark emailed", lambda today: {"email_status": "intro_sent"}, "Email marked sent"),
    "follow_up": ("Done", lambda today: {"follow_up_on": None}, "Follow-up done"),
    "apply": ("Mark applied", lambda today: {"status": "applied", "date_applied": today}, "Marked applied today"),
    # the level comes with the form (the one suggested); see done()
    "signal": ("Mark signalled", lambda today: {}, "Signal marked"),
}


def now() -> dt.datetime:
    """Local time (interview times are stored as the applicant entered them); tests set TRACKER_NOW."""
    return current_app.config["TRACKER_NOW"] or dt.datetime.now().replace(microsecond=0)


@bp.before_app_request
def _reading_day() -> None:
    """Dates typed as "today", "tomorrow" or without a year are read against the tracker's today."""
    moment = now()
    fields.set_today(moment.date())
    fields.set_now(moment)


@bp.before_app_request
def _note_first_visit() -> None:
    g.first_visit = "landed" not in session
    if g.first_visit and request.method == "GET":
        session["landed"] = True


def landing_redirect():
    """During the season (the current one, whose list the pages show), opening the tracker lands
    on Today (once per browser session)."""
    if request.args or not getattr(g, "first_visit", False):
        return None
    season = current_season()
    if season_has_started(now().date(), season.year, current_rules(), season.eras_opens):
        return redirect(url_for("today.index"))
    return None


@bp.get("/today")
def index():
    season = current_season()
    items = todays_list(live_programs(), now(), current_rules(), current_profile(), season.dates)
    return render_template("today/index.html", items=items, sections=SECTIONS, actions=ACTIONS, now=now(),
                           season=season, mentor_comments=newest_comments())


@bp.post("/today/<kind>/<int:program_id>")
def done(kind: str, program_id: int):
    if kind not in ACTIONS:
        abort(404, description="There is nothing to mark done for that.")
    write_transaction()
    program = get_live_program(program_id)
    label, values, message = ACTIONS[kind]
    changes = values(now().date())
    if kind == "signal":
        changes = {"signal_sent": request.form.get("level") if request.form.get("level") in LEVELS else "gold"}
    try:
        update_program(program, changes, expected_version=posted_version())
        commit()
    except StaleVersion:
        db.session.rollback()
        return _answer(program, "It changed in another tab; reload Today to see it as it is now.", 409)
    except ValidationFailed as exc:  # pragma: no cover - the values above are always valid
        db.session.rollback()
        return _answer(program, str(exc), 422)
    return _answer(program, f"{message}: {program.name}.", 200)


@bp.post("/today/research/<int:program_id>")
def research(program_id: int):
    """A research item done where it stands: the visa and IMG data found, typed into its form.
    What is left blank (or Unknown) stays as it is; the item stays while something is unknown."""
    write_transaction()
    program = get_live_program(program_id)
    typed = {key: request.form.get(key, "").strip() for key in fields.RESEARCH}
    values = {key: value for key, value in typed.items() if value and value != "unknown"}
    if not values:
        return _research_answer(program, "Fill in what you found; nothing was saved.", 422, typed)
    try:
        update_program(program, values, expected_version=posted_version())
        commit()
    except StaleVersion:
        db.session.rollback()
        return _answer(program, "It changed in another tab; reload Today to see it as it is now.", 409)
    except ValidationFailed as exc:
        db.session.rollback()
        return _research_answer(program, " ".join(exc.errors.values()), 422, typed)
    found = ", ".join(f"{fields.get(key).label} {fields.get(key).display(getattr(program, key))}" for key in values)
    return _research_answer(program, f"Saved {found}: {program.name}.", 200)


def _research_answer(program: Program, message: str, status: int, typed: dict[str, str] | None = None):
    """The item again while something is still unknown (or the values were refused), else done."""
    item = research_item(program, getattr(current_profile(), "visa_needed", None))
    if not is_htmx():
        flash(message, "ok" if status == 200 else "error")
        return redirect(url_for("today.index"))
    if item is None or program.effective_tier == "not_eligible":
        return _answer(program, message, status)
    return render_template("today/_research.html", item=item, message=message, ok=status == 200,
                           typed=typed or {}), status


def _answer(program: Program, message: str, status: int):
    if is_htmx():
        return render_template("today/_done.html", program=program, message=message, ok=status == 200), status
    return redirect(url_for("today.index"))
