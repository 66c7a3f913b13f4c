"""A grid cell's HTML, drawn in Python. A page of 1,000 programs has 12,000 cells, and a Jinja
macro call for each took two thirds of the page's 0.6 s; grid/_cell.html's ``cell`` macro and
grid/_row.html both call ``cell_html``, so a cell sent alone (an htmx answer) and the grid's
cells are the same markup. Everything a program or a person wrote is escaped."""

from __future__ import annotations

from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from .. import fields
from ..rules import TIER_LABELS
from ._htmx import mentor_marks, preferred_division

Kind = fields.Kind
DEMO_MARK = '<span class="demo-mark" title="A fictional program from the demo list">demo</span>'
# Plain strings throughout, each value through escape(), one Markup at the end: Markup's own
# formatting and concatenation cost more than the drawing. Badges are <b>, styled by class only:
# five a row, three bytes shorter each way than <span>, keep 1,000 rows under 1 MB.


def value_html(f: fields.Field, v: Any) -> str:
    """What a cell shows of ``v`` (HTML): a link, a coloured yes/no, tags, a status badge or the text."""
    if v is None or v == "" or v == []:
        return ""
    kind = f.kind
    if kind is Kind.URL and isinstance(v, str) and v.startswith(("https://", "http://")):
        shown = v.split("://", 1)[1].removeprefix("www.").rstrip("/")
        return f'<a href="{escape(v)}" target="_blank" rel="noopener noreferrer">{escape(shown)}</a>'
    if kind is Kind.EMAIL:
        return f'<a href="mailto:{escape(v)}">{escape(v)}</a>'
    if kind is Kind.TRI:
        return f'<b class="tri-{escape(v)}">{escape(f.display(v))}</b>'
    if kind is Kind.TAGS:
        return "".join(f'<span class="tag">{escape(f.label_for(t))}</span>' for t in v)
    if f.badge:
        return f'<b class="badge b-{escape(v)}">{escape(f.display(v))}</b>'
    return str(escape(f.display(v)))


def tier_html(p: Any) -> str:
    """The tier badge, and "by you" when it is set by hand. Its reasons box (why-<id>, which the
    cell's aria-describedby then names) is made and filled when the cell is focused or hovered
    (static/app.js, GET /programs/<id>/reasons): 1,000 rows carry none."""
    t = p.effective_tier
    out = f'<b class="tier-badge t-{escape(t or "none")}">{escape(TIER_LABELS[t] if t else "—")}</b>'
    if p.tier_override:
        auto = f" · auto: {TIER_LABELS[p.tier]}" if p.tier and p.tier != p.tier_override else ""
        out += f'<span class="by-hand">by you{escape(auto)}</span>'
    return out


def _comments_html(comments: list) -> str:
    title = "\n".join(f"{c.author}: {c.text}" if c.author else c.text for c in comments)
    spoken = "".join(f"{c.text} " for c in comments)
    return f'<span class="note-mark" title="{escape(title)}"><span class="sr">Mentor comment: {escape(spoken)}</span></span>'


def cell_html(p: Any, f: fields.Field, note: str | None = None, oob: bool = False,
              marks: dict | None = None) -> Markup:
    """One grid cell as it is shown (not edited): ``note`` a message in it (a refused save), ``oob``
    for an htmx out-of-band swap, ``marks`` the program's mentor comments by field."""
    comments = (marks if marks is not None else mentor_marks(p.id)).get(f.key)
    v = getattr(p, f.key)
    key = f.key
    tag = "th" if key == "name" else "td"
    out = f'<{tag} data-f="{key}"'  # catalogue keys and ids: nothing to escape
    if note:
        out += ' class="conflict"'
    if tag == "th":
        out += ' scope="row"'
    if key == "tier_override":
        out += f' id="tier-{int(p.id)}"'
    if oob:
        out += ' hx-swap-oob="true"'
    if f.kind is Kind.LONG_TEXT and v:
        out += f' title="{escape(v)}"'
    out += ">"
    if key == "tier_override":
        out += tier_html(p)
    elif key == "name":
        if p.demo:
            out += DEMO_MARK
        division = preferred_division(p.state)
        if division:
            out += (f'<span class="geo-mark" title="One of the census divisions of your ERAS geographic '
                    f'preference">{escape(division)}</span>')
        out += (f'<a id="n-{int(p.id)}" href="{escape(url_for("programs.detail", program_id=p.id))}">'
                f"{escape(v)}</a>")
    else:
        out += value_html(f, v)
    if comments:
        out += _comments_html(comments)
    if note:
        out += f'<p class="cell-msg" role="alert">{escape(note)}</p>'
    return Markup(f"{out}</{tag}>")
