"""The spreadsheet page and its cells: show, edit, save."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, abort, get_template_attribute, make_response, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from .. import changes, fields
from ..changes import StaleVersion, ValidationFailed, commit
from ..db import db, write_transaction
from ..layout import LayoutError
from ..listing import BUILT_IN_VIEWS, MAX_PAGE, PAGE_SIZE, View, query_view, read_page
from ..models import Program
from ..rules import TIERS
from ..saved_views import saved_views
from ..season_checks import save_warnings
from ..store import current_layout, current_profile, demo_count, save_layout
from ..tenancy import ownerless
from ..tiering import TIER_FIELDS
from ..tiers import tier_counts
from ._htmx import (flash_error, get_field, get_live_program, get_live_row, is_htmx, load_mentor_marks, page_columns,
                    posted_version, render_cell, render_row, row_class, undo_trigger, view_of_page)

bp = Blueprint("grid", __name__)


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


def bulk_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """What a bulk edit can set (``Field.bulk``): (group label, [(value "field:choice", label)])."""
    groups = []
    for f in fields.BULK:
        verb = "Add mission tag" if f.kind is fields.Kind.TAGS else f"Set {f.label.lower()}"
        options = [(f"{f.key}:{c.value}", c.label) for c in f.options]
        if f.kind is fields.Kind.CHOICE and not f.default:  # a choice that can be cleared (the tier set by hand)
            options.append((f"{f.key}:", f"{f.empty_label} (clear what you set)"))
        groups.append((verb, options))
    return groups


@bp.get("/")
def index():
    from .today import landing_redirect

    if (landing := landing_redirect()) is not None:
        return landing
    if "page" in request.args and read_page(request.args["page"]) is None:
        abort(400, description=f"There is no page “{request.args['page'][:30]}”: a page is a whole number from 1 "
                               f"to {MAX_PAGE:,}. Open the grid's first page instead.")
    view = View.from_args(request.args)
    programs, total = query_view(view)
    load_mentor_marks([p.id for p in programs])
    layout = current_layout()
    return render_template("grid/index.html", programs=programs, total=total, view=view, counts=tier_counts(),
                           bulk_choices=bulk_choices, built_in_views=BUILT_IN_VIEWS, saved_views=saved_views(),
                           profile=current_profile(), filters=fields.FILTER_BAR, page_size=PAGE_SIZE,
                           layout=layout, columns=layout.columns(view.columns), demo_count=demo_count())


@bp.post("/layout")
def change_layout():
    """Show, hide, fold, move or widen the grid's columns, kept for the next visit (no view to
    save). A form is sent back to the grid it came from; a width from the grid's script gets 204."""
    form = request.form
    write_transaction()  # before reading: two quick widths from one tab must both be kept
    layout = current_layout()
    try:
        if form.get("preset") in ("all", "first"):
            layout = layout.everything() if form["preset"] == "all" else layout.reset()
        elif "toggle" in form:  # from a view that names its columns: fold or unfold what it shows
            layout = (layout.showing(form.getlist("from")) if form.getlist("from") else layout).toggled(form["toggle"])
        elif "move" in form:
            layout = layout.moved(form["move"], before=form.get("before") or None, after=form.get("after") or None)
        elif "width" in form:
            key, _, pixels = form["width"].partition(":")
            layout = layout.widened(key, pixels)
        elif form.getlist("col"):
            layout = layout.showing(form.getlist("col"))
        else:
            raise LayoutError("Choose the columns to show, or a column to move or widen.")
    except LayoutError as exc:
        db.session.rollback()
        if is_htmx():
            return flash_error(str(exc), 422)
        abort(422, description=str(exc))
    save_layout(layout)
    db.session.commit()
    if "width" in form and is_htmx():
        return "", 204
    return redirect(_back_to_grid(form.get("back", ""), keep_columns="move" in form))


def _back_to_grid(back: str, *, keep_columns: bool) -> str:
    """The grid page a layout form came from (only a path of this site), showing the layout's
    columns unless the change was a move within the view's own."""
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or "\\" in back:
        return url_for("grid.index")
    pairs = [(k, v) for k, v in parse_qsl(parts.query) if keep_columns or k != "col"]
    return url_for("grid.index") + ("?" + urlencode(pairs) if pairs else "")


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
    widths = {f.key: (f.grid_width or f.width) + 2 for f in fields.FIELDS}
    # the widths the person dragged or keyed, over the catalogue's (with accounts, only a signed-in
    # applicant's: this sheet is public, and its visitor may be no one)
    pixels = {} if ownerless() else current_layout().widths
    rules = [f".grid .f-{key}{{width:{f'{pixels[key]}px' if key in pixels else f'{w}ch'}}}" for key, w in widths.items()]
    # numbers align right, dates and numbers use even digits (by column: cells carry no kind class)
    for f in fields.FIELDS:
        if f.kind in (fields.Kind.INT, fields.Kind.PERCENT):
            rules.append(f'.grid tbody [data-f="{f.key}"]{{text-align:right;font-variant-numeric:tabular-nums}}')
        elif f.kind in (fields.Kind.DATE, fields.Kind.DATETIME):
            rules.append(f'.grid tbody [data-f="{f.key}"]{{font-variant-numeric:tabular-nums}}')
    # A fixed-layout table is as wide as its columns only when told so: the columns the page
    # shows (?cols=), or all of them.
    shown = [k for k in request.args.get("cols", "").split(",") if k in widths] or list(widths)
    chars = sum(widths[k] for k in shown if k not in pixels)
    rules.append(f".grid{{width:calc({chars}ch + {sum(pixels[k] for k in shown if k in pixels)}px + 4.8rem)}}")
    css = "\n".join(rules)
    response = make_response(css)
    response.mimetype = "text/css"
    response.set_etag(hashlib.sha256(css.encode()).hexdigest()[:16])
    return response.make_conditional(request)


@bp.get("/programs/<int:program_id>/cells/<key>")
def cell(program_id: int, key: str):
    return render_cell(get_live_program(program_id), get_field(key))


@bp.get("/programs/<int:program_id>/reasons")
def reasons(program_id: int):
    """Why the program has its tier: the tier cell's popover, fetched when the cell is focused or
    hovered (the grid page carries none of them)."""
    return get_template_attribute("grid/_cell.html", "reasons")(get_live_program(program_id))


@bp.get("/programs/<int:program_id>/cells/<key>/edit")
def edit_cell(program_id: int, key: str):
    program, f = get_live_program(program_id), get_field(key)
    value = getattr(program, key)
    return render_template("grid/_cell_editor.html", program=program, field=f,
                           value=f.input_value(value), selected=value, message=None)


@bp.get("/programs/<int:program_id>/cells/<key>/read")
def read_cell(program_id: int, key: str):
    """How a value being typed into a date or number cell will be read: "Reads as …" or the
    message a save would give. Nothing is written."""
    get_live_program(program_id)
    f = get_field(key)
    try:
        value = f.parse(request.args.get("value", "")[:200])
    except fields.FieldError as exc:
        return str(exc), 200, {"X-Read-Ok": "0", "Cache-Control": "no-store"}
    return f"Reads as {f.spoken(value)}", 200, {"X-Read-Ok": "1", "Cache-Control": "no-store"}


@bp.post("/programs/<int:program_id>/cells/<key>")
def save_cell(program_id: int, key: str):
    """One cell: one update of the row (its version checked) and one change-log entry, the cell
    rendered from the row as the update left it (tracker.changes.save_cell)."""
    write_transaction()
    before, f = get_live_row(program_id), get_field(key)
    version = posted_version()
    raw = request.form.getlist("value") if f.kind is fields.Kind.TAGS else request.form.get("value", "")
    try:
        saved = changes.save_cell(before, key, raw, expected_version=version)
        load_mentor_marks([program_id])  # the cell's marks, read in this transaction: none opens after it
        commit()
    except ValidationFailed as exc:
        db.session.rollback()
        typed = ", ".join(raw) if isinstance(raw, list) else raw
        body = render_template("grid/_cell_editor.html", program=before, field=f, value=typed,
                               selected=raw, message=exc.errors.get(key, str(exc)))
        return body, 422
    except StaleVersion:
        db.session.rollback()
        return _conflict(program_id, f, raw)
    program = saved.after
    body = render_cell(program, f)
    if saved.changed and (warnings := save_warnings(program, {key})):
        body += Markup(render_template("_flash_oob.html", messages=[("warn", w) for w in warnings]))
    if key in TIER_FIELDS or key.startswith("tier_override"):
        body += _tier_out_of_band(program, with_cell=key != "tier_override")
    saved_event = {"id": program.id, "version": program.version}
    # The row holds the cell being edited (the swap target), so it is not swapped itself: its
    # new class (tier stripe, status colour) travels with the event, for the page to set.
    if (new_class := row_class(program)) != row_class(saved.before):
        saved_event["row_class"] = new_class
    return body, 200, {"HX-Trigger": json.dumps({"tracker:saved": saved_event})}


@bp.post("/cells")
def save_cells():
    """Write a range of cells (paste, Delete, Ctrl+D) as one change batch; answer with the rows
    it touched, out of band, each refused cell with its message, and a summary."""
    from .. import ranges
    from ..store import current_season_id

    write_transaction()
    try:
        cells = ranges.read_cells(_json_field("cells", []))
        versions = _json_field("versions", {})
        new_rows = _json_field("new_rows", [])
        if not isinstance(versions, dict) or not isinstance(new_rows, list):
            raise ranges.RangeRefused("The cells to write are not readable; reload the page and try again.")
        visible = {f.key for f in page_columns()}
        result = ranges.write_cells(cells, versions, visible, new_rows, season_id=current_season_id())
        commit()
    except ranges.RangeRefused as exc:
        db.session.rollback()
        return flash_error(str(exc), 400)
    except StaleVersion:
        db.session.rollback()
        return flash_error("Some of these programs changed elsewhere while this was written; nothing "
                           "was written. Reload the page and try again.", 409)
    action = request.form.get("action", "")
    left_out = request.form.get("left_out", 0, type=int) or 0
    category, message = ranges.summary(result, action, max(0, min(left_out, ranges.MAX_CELLS)))
    parts = []
    if result.created:  # first: a response that starts with a <tbody> is read as table rows
        added = Markup("").join(render_row(p) for p in result.created)
        parts.append(Markup('<tbody hx-swap-oob="beforeend:#rows">') + added + Markup("</tbody>"))
    parts += [render_row(p, notes=result.notes.get(p.id), oob=True) for p in result.touched]
    parts.append(get_template_attribute("grid/_tier_chips.html", "tier_chips")(tier_counts(), view_of_page(), oob=True))
    parts.append(Markup(render_template("_flash_oob.html", messages=[(category, message)])))
    return Markup("").join(parts), 200, undo_trigger()


def _json_field(name: str, default):
    text = request.form.get(name)
    if text is None:
        return default
    from ..ranges import RangeRefused

    if len(text) > 5_000_000:
        raise RangeRefused("That is too much to paste at once; paste it in parts.")
    try:
        return json.loads(text)
    except ValueError:
        raise RangeRefused("The cells to write are not readable; reload the page and try again.") from None


def _tier_out_of_band(program: Program, *, with_cell: bool) -> str:
    """The tier counts (and the row's tier cell), for a save that may have changed them."""
    chips = get_template_attribute("grid/_tier_chips.html", "tier_chips")(tier_counts(), view_of_page(), oob=True)
    if not with_cell:
        return chips
    return render_cell(program, fields.get("tier_override"), oob=True) + chips


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
