"""What the blueprints share to answer htmx: the program a request names, a cell or a row
rendered as the page that asked shows it, the Undo/Redo trigger, and an error for the flash
area."""

from __future__ import annotations

import errno
import json
from typing import NamedTuple
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa
from flask import abort, g, get_template_attribute, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from .. import fields, regions
from ..db import db
from ..listing import View, query_view
from ..changes import read_row
from ..models import MentorComment, Program, ProgramRow
from ..prepared import Prepared
from ..store import current_layout, current_profile, demo_count
from ..tenancy import bound_owner_clause, current_owner, owner_clause
from ..tiers import tier_counts
from ..undo import state


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def read_only() -> bool:
    """Whether the page is drawn for a mentor reading an applicant's list (tracker.auth): without
    what edits it (the grid's data-readonly, no add, bulk, undo or layout forms). The server
    refuses a mentor's writes anyway; this only spares them controls that would be refused."""
    return g.get("mentoring") is not None


def get_program(program_id: int) -> Program:
    """The program, deleted or not; 404 when there is none."""
    return db.get_or_404(Program, program_id, description="There is no such program.")


def get_live_program(program_id: int) -> Program:
    """The program, to be edited: 404 when there is none or it is deleted."""
    program = get_program(program_id)
    if program.deleted_at is not None:
        abort(404, description="This program was deleted; restore it from its page to edit it.")
    return program


def get_live_row(program_id: int) -> ProgramRow:
    """get_live_program's row as one Core select reads it (tracker.changes.read_row), for a cell save."""
    row = read_row(program_id)
    if row is None:
        abort(404, description="There is no such program.")
    if row.deleted_at is not None:
        abort(404, description="This program was deleted; restore it from its page to edit it.")
    return row


DISK_FULL = ("The disk is full (or the database reached its size limit), so nothing was saved. "
             "Free some space, then try again.")
DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}  # what a full disk raises


class InsufficientStorage(HTTPException):
    """507: what can't be written for want of disk space (werkzeug has no exception for it)."""

    code = 507
    description = DISK_FULL


MAX_ID = 2**63 - 1  # the largest integer SQLite (and PostgreSQL's bigint) stores


def read_id(text: str | None) -> int | None:
    """A whole number from 0 to MAX_ID (an id, a row version) from a form, else None: no
    signs, exponents or decimals (int() takes "1_000"; float() takes "1e3")."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > MAX_ID:
        return None
    return int(text)


def posted_version() -> int:
    """The row version a form was rendered with; 400 when it is missing or not a version."""
    version = read_id(request.form.get("version"))
    if version is None:
        abort(400, description="The row version is missing or damaged; reload the page and try again. "
                               "Nothing was saved.")
    return version


def get_field(key: str) -> fields.Field:
    f = fields.BY_KEY.get(key)
    if f is None:
        abort(404, description=f"{key!r} is not a program field.")
    return f


def view_of_page() -> View:
    """The view of the page an htmx request comes from (its URL is in HX-Current-URL); read once
    per request, however many rows the answer re-renders."""
    if "page_view" not in g:
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        g.page_view = View.from_args(MultiDict(parse_qsl(page.query)))
    return g.page_view


def page_columns() -> list[fields.Field]:
    """The grid columns of the page an htmx request comes from: the ones it draws, else the ones
    its view names or the layout's, in the layout's order."""
    if "page_columns" not in g:
        # the grid says which columns it draws (X-Grid-Columns, set by static/app.js), so a row it
        # gets back lines up with its header even when another tab changed the layout since
        sent = [k for k in request.headers.get("X-Grid-Columns", "")[:4000].split(",") if k in fields.BY_KEY]
        if sent:
            keys = list(dict.fromkeys(["name", *sent]))
            g.page_columns = [fields.BY_KEY[k] for k in keys]
        else:
            g.page_columns = current_layout().columns(view_of_page().columns)
    return g.page_columns


_COMMENTS = MentorComment.__table__
_MARKS = (sa.select(_COMMENTS.c.program_id, _COMMENTS.c.field, _COMMENTS.c.author, _COMMENTS.c.text)
          .order_by(_COMMENTS.c.id))


class Mark(NamedTuple):
    """One mentor comment as a cell's mark draws it (a row of ``_MARKS``)."""

    program_id: int
    field: str | None
    author: str | None
    text: str


_ONE_PROGRAMS_MARKS = {  # by whether the comments have an owner (not the one person's tracker)
    owned: Prepared(_MARKS.where(_COMMENTS.c.program_id == sa.bindparam("pid"), bound_owner_clause(_COMMENTS, owned)))
    for owned in (True, False)
}


def load_mentor_marks(program_ids: list[int]) -> None:
    """Read the mentor's comments on these programs in one query, for the marks their cells draw
    (a grid page asks for its thousand rows at once; a cell save only for its own program)."""
    cache = g.setdefault("mentor_marks", {})
    wanted = [pid for pid in dict.fromkeys(program_ids) if pid not in cache]
    for pid in wanted:
        cache[pid] = {}
    if wanted:
        # plain rows from one Core select (program_id, field, author, text), not ORM objects: a cell
        # save draws its cell's marks, and loading comments through the ORM was a fifth of the save
        owner, connection = current_owner(), db.session.connection()
        if len(wanted) == 1:  # a cell save: a statement built once, run on the driver's cursor
            comments = [Mark(*row) for row in _ONE_PROGRAMS_MARKS[owner is not None].rows(
                connection, {"pid": wanted[0], "owner": owner})]
        else:
            comments = connection.execute(_MARKS.where(_COMMENTS.c.program_id.in_(wanted), owner_clause(_COMMENTS)))
        for comment in comments:
            cache[comment.program_id].setdefault(comment.field or "name", []).append(comment)


def mentor_marks(program_id: int) -> dict[str, list]:
    """The mentor's comments on a program, by the field they are on (those on the program as a
    whole on its name), for the small mark in the grid's cells. Read once per request."""
    load_mentor_marks([program_id])
    return g.mentor_marks[program_id]


def preferred_division(state: str | None) -> str | None:
    """The census division of ``state`` when it is one the profile names for ERAS's geographic
    preference (its name, for the mark beside a program), else None. The profile is read once a request."""
    if "geo_divisions" not in g:
        profile = current_profile()
        g.geo_divisions = set(profile.geo_divisions or []) if profile else set()
    division = regions.division(state)
    return regions.DIVISION_LABELS[division] if division in g.geo_divisions else None


def program_comments(program_id: int) -> list[MentorComment]:
    """The mentor's comments on a program, for its page: in the catalogue's order of their fields."""
    order = {f.key: i for i, f in enumerate(fields.FIELDS)}
    comments = db.session.scalars(sa.select(MentorComment).where(MentorComment.program_id == program_id)
                                  .order_by(MentorComment.id))
    return sorted(comments, key=lambda c: order.get(c.field, -1))


def row_class(program: Program) -> str:
    """The class of a program's grid row (grid/_row.html): its tier stripe and status colour."""
    return f"t-{program.effective_tier or 'none'} s-{program.status}"


def render_cell(program: Program, f: fields.Field, note: str | None = None, oob: bool = False) -> str:
    return get_template_attribute("grid/_cell.html", "cell")(program, f, note, oob)


def render_row(program: Program, note_for: str | None = None, note: str | None = None, oob: bool = False,
               notes: dict[str, str] | None = None) -> str:
    """A grid row, with the columns of the page the request came from (its view may hide some);
    ``notes`` (or ``note`` on ``note_for``) are messages shown in their cells."""
    columns = page_columns()
    if note_for:
        notes = {**(notes or {}), note_for: note}
    return get_template_attribute("grid/_row.html", "row")(program, notes, oob, columns)


def undo_trigger() -> dict[str, str]:
    """The HX-Trigger header that sets the grid's Undo and Redo buttons (after any change)."""
    return {"HX-Trigger": json.dumps({"tracker:undo": state()})}


def flash_error(message: str, status: int):
    """An htmx answer that shows ``message`` in the page's flash area instead of its target."""
    body = render_template("_flash.html", messages=[("error", message)])
    return body, status, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}


def grid_counts_oob() -> str:
    """The grid's "N programs" line and tier chips of the page an htmx request comes from, out
    of band: after a change that adds or removes rows (a bulk delete), they must not go stale."""
    view = view_of_page()
    programs, total = query_view(view)
    shown = get_template_attribute("grid/_shown.html", "shown_count")(len(programs), total, view, oob=True)
    chips = get_template_attribute("grid/_tier_chips.html", "tier_chips")(tier_counts(), view, oob=True)
    return shown + chips


def demo_notice(oob: bool = False) -> str:
    """The notice above the grid while demo programs are on the list, with its "Remove the demo
    programs" button (empty when there are none); ``oob`` after a change that may add or remove some."""
    return get_template_attribute("grid/_demo_notice.html", "demo_notice")(demo_count(), oob)
