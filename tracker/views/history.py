"""Undo and redo of the last edits (POST /undo, POST /redo) and the recent-changes page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from markupsafe import Markup

from ..db import db, write_transaction
from ..models import Program
from ..undo import UndoResult, group_by_batch, recent_changes, redo_last, state, undo_last
from ._htmx import demo_notice, is_htmx, render_row, undo_trigger

bp = Blueprint("history", __name__)

RECENT_LIMIT = 200


@bp.app_template_global()
def undo_state() -> dict[str, bool]:
    """{"can_undo": ..., "can_redo": ...}, for a page that shows the Undo and Redo buttons."""
    return state()


@bp.post("/undo")
def undo():
    write_transaction()
    return _answer(undo_last())


@bp.post("/redo")
def redo():
    write_transaction()
    return _answer(redo_last())


def _answer(result: UndoResult):
    """htmx: the rows that changed and the message, out of band, and the buttons' new state in
    HX-Trigger (the main target gets nothing: use hx-swap="none"). Otherwise back to the page."""
    db.session.commit()
    if not is_htmx():
        flash(result.message, result.category)
        back = {"changes": url_for("history.changes"), "deleted": url_for("programs.deleted")}.get(
            request.form.get("back", ""), url_for("grid.index"))
        return redirect(back)
    parts: list[str] = []
    for program_id in result.program_ids:
        program = db.session.get(Program, program_id)
        if program.deleted_at is not None:
            parts.append(Markup('<tr id="p-{}" hx-swap-oob="delete"></tr>').format(program.id))
        elif program_id in result.restored_ids:  # not in the page any more: back at the top
            parts.append(Markup('<tbody hx-swap-oob="afterbegin:#rows">{}</tbody>').format(render_row(program)))
        else:
            parts.append(render_row(program, oob=True))
    if result.program_ids:  # the demo notice counts the demo programs back on the list, or gone again
        parts.append(demo_notice(oob=True))
    parts.append(render_template("_flash_oob.html", messages=[(result.category, result.message)]))
    return "\n".join(parts), 200, undo_trigger()


@bp.get("/changes")
def changes():
    groups = group_by_batch(recent_changes(RECENT_LIMIT))
    return render_template("history/changes.html", groups=groups, limit=RECENT_LIMIT, buttons=state())
