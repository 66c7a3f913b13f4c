"""The programs as cards, for a phone: name, tier, status and next step, each opening its form."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from markupsafe import Markup

from ..listing import MAX_PAGE, PAGE_SIZE, View, query_view, read_page
from ..reminders import next_steps, todays_list
from ..store import current_profile, current_rules
from ._htmx import is_htmx
from .today import now

bp = Blueprint("cards", __name__)


def render_cards(programs: list) -> Markup:
    """The cards of ``programs`` (grid/_cards.html), each with its next step as Today computes it."""
    steps = next_steps(todays_list(programs, now(), current_rules(), current_profile()))
    return Markup(render_template("grid/_cards.html", programs=programs, steps=steps))


@bp.get("/cards")
def index():
    """The cards of a grid view (the grid's query string: search, filters, sort, page): the list
    alone for the grid page to show on a narrow screen, a page of its own without JavaScript."""
    if "page" in request.args and read_page(request.args["page"]) is None:
        abort(400, description=f"There is no page “{request.args['page'][:30]}”: a page is a whole number from 1 "
                               f"to {MAX_PAGE:,}.")
    view = View.from_args(request.args)
    programs, total = query_view(view)
    cards = render_cards(programs)
    if is_htmx():
        return cards
    return render_template("grid/cards.html", cards=cards, total=total, view=view, page_size=PAGE_SIZE,
                           grid_url=view.url(url_for("grid.index")))
