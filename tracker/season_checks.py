"""What to warn about after a save (a cell, the program page): a second top choice, more
programs signalled than the profile says ERAS allows. The save is kept; the warning says what
to change."""

from __future__ import annotations

import sqlalchemy as sa

from . import fields
from .db import db
from .models import Program
from .store import current_profile, current_rules, live_programs_select


def save_warnings(program: Program, changed: set[str]) -> list[str]:
    """What to warn about after a save that set the ``changed`` fields of ``program``."""
    warnings = []
    if "top_choice" in changed and program.top_choice == "yes":
        warnings.append(_second_top_choice_warning(program))
    if "signal_sent" in changed and program.signal_sent == "yes":
        warnings.append(_signal_limit_warning(program))
    return [w for w in warnings if w]


def _second_top_choice_warning(program: Program) -> str | None:
    """A letter of intent is sincere for one program only: say so when a second is marked."""
    others = db.session.scalars(
        live_programs_select(Program.name, season_id=program.season_id)
        .where(Program.top_choice == "yes", Program.id != program.id)
    ).all()
    if not others:
        return None
    return (f"{', '.join(others)} {'is' if len(others) == 1 else 'are'} also marked top choice. A letter of "
            "intent should go to one program only: unmark the others.")


def _signal_limit_warning(program: Program) -> str | None:
    """More programs signalled in a specialty than the profile says ERAS allows."""
    profile = current_profile()
    limit = (profile.signal_limits or {}).get(program.specialty) if profile else None
    source = "profile"
    if limit is None:  # the season's counts on the rules page, gold and silver together
        counts = current_rules().signals(program.specialty)
        if counts is None:
            return None
        limit, source = sum(counts), None
    sent = db.session.scalar(
        live_programs_select(sa.func.count(), season_id=program.season_id)
        .where(Program.signal_sent == "yes", Program.specialty == program.specialty))
    if sent <= limit:
        return None
    specialty = fields.get("specialty").label_for(program.specialty)
    allowed = (f"your profile says you may send {limit}." if source else f"ERAS allows {limit} this season.")
    return (f"{sent} {specialty} programs are marked as signalled; {allowed} "
            "Keep signals for IMG-friendly programs where you have ties.")
