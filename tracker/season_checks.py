"""What to warn about after a save (a cell, the program page): a second top choice, more
programs signalled than the profile says ERAS allows. The save is kept; the warning says what
to change."""

from __future__ import annotations

from . import signals
from .db import db
from .models import Program
from .store import current_profile, current_rules, live_programs_select


def save_warnings(program: Program, changed: set[str]) -> list[str]:
    """What to warn about after a save that set the ``changed`` fields of ``program``."""
    warnings = []
    if "top_choice" in changed and program.top_choice == "yes":
        warnings.append(_second_top_choice_warning(program))
    if "signal_sent" in changed and program.signal_sent in signals.LEVELS:
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
    """Past the signals the specialty allows (the profile's limit, else the season's counts),
    counted per institution across its tracks (tracker.signals)."""
    rows = db.session.execute(
        live_programs_select(Program.id, Program.name, Program.program_code, Program.state, Program.specialty,
                             Program.signal_sent, season_id=program.season_id)
        .where(Program.specialty == program.specialty, Program.signal_sent.in_(signals.LEVELS))).mappings().all()
    over = signals.warnings(rows, current_rules(), current_profile(), program.specialty)
    if not over:
        return None
    return " ".join(over) + " Keep signals for IMG-friendly programs where you have ties."
