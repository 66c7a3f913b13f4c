"""The spreadsheet page and its cells: show, edit, save."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl, urlsplit

from flask import (
    Blueprint,
    abort,
    g,
    redirect,
    get_template_attribute,
    make_response,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from .. import fields
from ..changes import StaleVersion, ValidationFailed, update_program
from ..db import db, write_transaction
from ..listing import BUILT_IN_VIEWS, FILTERABLE, PAGE_SIZE, View, query_view
from ..models import Program
from ..rules import TIERS
from ..saved_views import saved_views
from ..tiering import TIER_FIELDS
from ..tiers import current_profile, tier_counts

bp = Blueprint("grid", __name__)


# The filters the grid offers above the table (any choice or yes/no column can be filtered in the URL).
FILTER_BAR = ("status", "email_status", "specialty", "state", "setting", "visa_j1", "visa_h1b")


@bp.app_template_global()
def tier_toggle_url(view: View, tier: str) -> str:
    wanted = [t for t in TIERS if (t in view.tiers) != (t == tier)]
    return view.url(url_for("grid.index"), tier=wanted or ["none"], page="")


@bp.app_template_global()
def header_groups(columns: list[fields.Field]) -> list[tuple[str, int, bool]]:
    """(group, columns it spans, whether to show its name) for the grid's top header row: the
    name column has its own cell (it stays on screen while scrolling), then runs of a group."""
    groups: list[list] = []
    for i, f in enumerate(columns):
        if i > 1 and groups[-1][0] == f.group:
            groups[-1][1] += 1
        else:
            groups.append([f.group, 1, not groups or groups[-1][0] != f.group or i == 1])
    return [tuple(g) for g in groups]


def view_of_page() -> View:
    """The view of the page an htmx request comes from (its URL is in HX-Current-URL); read once
    per request, however many rows the answer re-renders."""
    if "page_view" not in g:
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        g.page_view = View.from_args(MultiDict(parse_qsl(page.query)))
    return g.page_view


def get_live_program(program_id: int) -> Program:
    program = db.get_or_404(Program, program_id, description="There is no such program.")
    if program.deleted_at is not None:
        abort(404, description="This program was deleted; restore it from its page to edit it.")
    return program


def get_field(key: str) -> fields.Field:
    f = fields.BY_KEY.get(key)
    if f is None:
        abort(404, description=f"{key!r} is not a program field.")
    return f


def render_cell(program: Program, f: fields.Field, note: str | None = None) -> str:
    return get_template_attribute("grid/_cell.html", "cell")(program, f, note)


def render_row(program: Program, note_for: str | None = None, note: str | None = None, oob: bool = False) -> str:
    """A grid row, with the columns of the page the request came from (its view may hide some)."""
    columns = view_of_page().visible_columns
    return get_template_attribute("grid/_row.html", "row")(program, note_for, note, oob, columns)


@bp.get("/")
def index():
    from .today import landing_redirect

    if (landing := landing_redirect()) is not None:
        return landing
    view = View.from_args(request.args)
    programs, total = query_view(view)
    filters = [f for f in FILTERABLE if f.key in FILTER_BAR]
    from .programs import bulk_choices

    return render_template("grid/index.html", programs=programs, total=total, view=view, counts=tier_counts(),
                           bulk_choices=bulk_choices, built_in_views=BUILT_IN_VIEWS, saved_views=saved_views(),
                           profile=current_profile(), filters=filters, page_size=PAGE_SIZE,
                           columns=view.visible_columns)


@bp.post("/views")
def save_view():
    """Name the current view (its query string) so the Views menu brings it back."""
    from ..saved_views import save_view as save

    name = " ".join(request.form.get("name", "").split())[:60]
    if not name:
        abort(400, description="Give the view a name.")
    # keep only what a view is made of, normalised through View
    view = View.from_args(MultiDict(parse_qsl(request.form.get("query", ""))))
    write_transaction()
    save(name, view.query)
    db.session.commit()
    return redirect(url_for("grid.index") + ("?" + view.query if view.query else ""))


@bp.get("/fields.css")
def fields_css():
    """Column widths from the catalogue (a stylesheet, since the CSP forbids inline styles)."""
    widths = {f.key: f.width + 2 for f in fields.FIELDS}
    rules = [f".grid .f-{key}{{width:{w}ch}}" for key, w in widths.items()]
    # numbers align right, dates and numbers use even digits (by column: cells carry no kind class)
    for f in fields.FIELDS:
        if f.kind in (fields.Kind.INT, fields.Kind.PERCENT):
            rules.append(f'.grid tbody [data-f="{f.key}"]{{text-align:right;font-variant-numeric:tabular-nums}}')
        elif f.kind in (fields.Kind.DATE, fields.Kind.DATETIME):
            rules.append(f'.grid tbody [data-f="{f.key}"]{{font-variant-numeric:tabular-nums}}')
    # A fixed-layout table is as wide as its columns only when told so.
    rules.append(f".grid{{width:calc({sum(widths.values())}ch + 4.8rem)}}")
    css = "\n".join(rules)
    response = make_response(css)
    response.mimetype = "text/css"
    response.set_etag(hashlib.sha256(css.encode()).hexdigest()[:16])
    return response.make_conditional(request)


@bp.get("/programs/<int:program_id>/cells/<key>")
def cell(program_id: int, key: str):
    return render_cell(get_live_program(program_id), get_field(key))


@bp.get("/programs/<int:program_id>/cells/<key>/edit")
def edit_cell(program_id: int, key: str):
    program, f = get_live_program(program_id), get_field(key)
    value = getattr(program, key)
    return render_template("grid/_cell_editor.html", program=program, field=f,
                           value=f.input_value(value), selected=value, message=None)


@bp.post("/programs/<int:program_id>/cells/<key>")
def save_cell(program_id: int, key: str):
    write_transaction()
    program, f = get_live_program(program_id), get_field(key)
    version = request.form.get("version", type=int)
    if version is None:
        abort(400, description="The row version is missing; reload the page and try again.")
    raw = request.form.getlist("value") if f.kind is fields.Kind.TAGS else request.form.get("value", "")
    class_before = row_class(program)
    try:
        update_program(program, {key: raw}, expected_version=version)
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        typed = ", ".join(raw) if isinstance(raw, list) else raw
        body = render_template("grid/_cell_editor.html", program=program, field=f, value=typed,
                               selected=raw, message=exc.errors.get(key, str(exc)))
        return body, 422
    except (StaleVersion, StaleDataError):
        db.session.rollback()
        return _conflict(program_id, f, raw)
    body = render_cell(program, f)
    if warnings := save_warnings(program, {key}):
        body += Markup(render_template("_flash_oob.html", messages=[("warn", w) for w in warnings]))
    if key in TIER_FIELDS or key.startswith("tier_override"):
        body += _tier_out_of_band(program, with_cell=key != "tier_override")
    saved = {"id": program.id, "version": program.version}
    # The row holds the cell being edited (the swap target), so it is not swapped itself: its
    # new class (tier stripe, status colour) travels with the event, for the page to set.
    if (new_class := row_class(program)) != class_before:
        saved["row_class"] = new_class
    return body, 200, {"HX-Trigger": json.dumps({"tracker:saved": saved})}


def row_class(program: Program) -> str:
    """The class of a program's grid row (grid/_row.html): its tier stripe and status colour."""
    return f"t-{program.effective_tier or 'none'} s-{program.status}"


def save_warnings(program: Program, changed: set[str]) -> list[str]:
    """What to warn about after a save that set ``changed`` fields (a cell, or the program page)."""
    warnings = []
    if "top_choice" in changed and program.top_choice == "yes":
        warnings.append(_second_top_choice_warning(program))
    if "signal_sent" in changed and program.signal_sent == "yes":
        warnings.append(_signal_limit_warning(program))
    return [w for w in warnings if w]


def _second_top_choice_warning(program: Program) -> str | None:
    """A letter of intent is sincere for one program only: say so when a second is marked."""
    others = db.session.scalars(
        db.select(Program.name).where(Program.top_choice == "yes", Program.id != program.id,
                                      Program.season_id == program.season_id, Program.deleted_at.is_(None))
    ).all()
    if not others:
        return None
    return (f"{', '.join(others)} {'is' if len(others) == 1 else 'are'} also marked top choice. A letter of "
            "intent should go to one program only: unmark the others.")


def _signal_limit_warning(program: Program) -> str | None:
    """More programs signalled in a specialty than the profile says ERAS allows."""
    profile = current_profile()
    limit = (profile.signal_limits or {}).get(program.specialty) if profile else None
    if limit is None:
        return None
    sent = db.session.scalar(
        db.select(db.func.count()).select_from(Program).where(
            Program.signal_sent == "yes", Program.specialty == program.specialty,
            Program.season_id == program.season_id, Program.deleted_at.is_(None)))
    if sent <= limit:
        return None
    specialty = fields.get("specialty").label_for(program.specialty)
    return (f"{sent} {specialty} programs are marked as signalled; your profile says you may send {limit}. "
            "Keep signals for IMG-friendly programs where you have ties.")


def _tier_out_of_band(program: Program, *, with_cell: bool) -> str:
    """The tier counts (and the row's tier cell), for a save that may have changed them."""
    chips = get_template_attribute("grid/_tier_chips.html", "tier_chips")(tier_counts(), view_of_page(), oob=True)
    if not with_cell:
        return chips
    tier_cell = get_template_attribute("grid/_cell.html", "cell")(program, fields.get("tier_override"), oob=True)
    return tier_cell + chips


def _conflict(program_id: int, f: fields.Field, raw) -> tuple[str, int, dict[str, str]]:
    """409: the whole row as it is now, the cell saying what was kept and what was not saved."""
    program = db.session.get(Program, program_id)
    typed = ", ".join(raw) if isinstance(raw, list) else raw
    if program is None or program.deleted_at is not None:
        abort(409, description="This program was deleted in another tab; nothing was saved.")
    stored = f.display(getattr(program, f.key)) or "empty"
    note = (f"Changed elsewhere since this page loaded: it is now “{stored}”. "
            f"Your “{typed}” was not saved; edit again to replace it.")
    headers = {"HX-Retarget": f"#p-{program.id}", "HX-Reswap": "outerHTML"}
    return render_row(program, f.key, note), 409, headers
