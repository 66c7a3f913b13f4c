"""Horizontal bar charts as SVG markup, drawn on the server. Pure (markupsafe only).

The Content-Security-Policy forbids inline styles and scripts, so a chart is only geometry and
presentation attributes (x, y, width, height, text-anchor); its colours come from CSS classes
in static/app.css (.chart .c-likely { fill: var(--t-likely) } ...), which follow light and dark
mode. Every piece of text is escaped. A chart is an image (role="img" with an aria-label); the
page puts its numbers in a table too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

ROW = 30  # height of one bar's row
BAR = 16  # height of the bar itself
TOP = 6
AXIS = 24  # room for the tick labels under the bars
CHAR = 7.2  # an average character's width at the chart's font size (13px)
BOLD_CHAR = 7.9  # the same for the values after the bars, which are bold
CSS_CLASS = re.compile(r"[A-Za-z0-9_ -]*")


@dataclass(frozen=True)
class Segment:
    value: float
    css: str = "c-accent"  # the fill's class, styled in app.css
    label: str = ""  # a tooltip: "Likely: 12"


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]
    text: str | None = None  # shown after the bar; the total when None
    band: tuple[float, float | None] | None = None  # a goal range drawn behind the bar
    band_text: str = ""  # the goal's tooltip

    @property
    def total(self) -> float:
        return sum(s.value for s in self.segments)


def bar(label: str, value: float, css: str = "c-accent", text: str | None = None,
        band: tuple[float, float | None] | None = None, band_text: str = "") -> Bar:
    """A bar of one segment."""
    return Bar(label, (Segment(value, css, f"{label}: {text or _num(value)}"),), text, band, band_text)


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _f(value: float) -> str:
    """A coordinate: short, and never in exponent notation."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _cls(css: str) -> str:
    if not CSS_CLASS.fullmatch(css):
        raise ValueError(f"not a CSS class list: {css!r}")
    return css


def nice_step(top: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` intervals."""
    if top <= 0:
        return 1
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * magnitude >= raw:
            return m * magnitude
    return 10 * magnitude  # pragma: no cover


def _tick_text(value: float, unit: str) -> str:
    number = _num(value)
    if unit == "$":
        return f"${number}"
    return f"{number}{unit}"


def _clip(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(bars: Iterable[Bar], *, label: str, unit: str = "", scale_max: float | None = None,
              width: int = 640, css: str = "") -> Markup:
    """An SVG horizontal bar chart: one row per bar (stacked segments, an optional goal band
    behind it, its value after it) and a scale underneath. ``label`` is what a screen reader
    hears; ``unit`` is "%", "$" or "" for the scale."""
    bars = list(bars)
    if not bars:
        return Markup("")
    labels = [_clip(b.label) for b in bars]
    texts = [b.text if b.text is not None else _num(b.total) for b in bars]
    label_w = min(max(60, max(len(t) for t in labels) * CHAR + 14), 270)
    value_w = min(max(44, max(len(t) for t in texts) * BOLD_CHAR + 16), 220)
    x0, x1 = label_w, width - value_w
    plot = x1 - x0

    intervals = max(2, min(5, int(plot // 38)))  # fewer scale labels on a narrow chart
    top = scale_max
    if top is None:
        highest = max([b.total for b in bars] + [v for b in bars if b.band for v in b.band if v is not None])
        step = nice_step(highest or 1, intervals)
        top = max(step, math.ceil(highest / step - 1e-9) * step)
    step = nice_step(top, intervals)

    def x(value: float) -> float:
        return x0 + max(0.0, min(value, top)) / top * plot

    height = TOP + ROW * len(bars) + AXIS
    parts = [
        (f'<svg class="chart {escape(_cls(css))}" role="img" aria-label="{escape(label)}" '
         f'xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">')
    ]
    # The scale: a line at each step, its value underneath.
    bottom = TOP + ROW * len(bars)
    parts.append('<g class="axis">')
    ticks = round(top / step)
    for i in range(ticks + 1):
        value = i * step
        tx = _f(x(value))
        parts.append(f'<line class="tick" x1="{tx}" x2="{tx}" y1="{TOP}" y2="{bottom}"/>')
        parts.append(f'<text class="tick-label" x="{tx}" y="{bottom + 16}" text-anchor="middle">'
                     f'{escape(_tick_text(value, unit))}</text>')
    parts.append("</g>")

    for i, (b, name, text) in enumerate(zip(bars, labels, texts)):
        y = TOP + ROW * i
        mid = y + ROW / 2
        by = y + (ROW - BAR) / 2
        parts.append('<g class="row">')
        parts.append(f'<text class="label" x="{_f(x0 - 8)}" y="{_f(mid)}" dy="0.35em" text-anchor="end">'
                     f'{escape(name)}</text>')
        if b.band is not None:
            low, high = b.band
            tip = f"<title>{escape(b.band_text)}</title>" if b.band_text else ""
            if high is not None and high > low:
                parts.append(f'<rect class="band" x="{_f(x(low))}" y="{_f(y + 2)}" width="{_f(x(high) - x(low))}" '
                             f'height="{ROW - 4}">{tip}</rect>')
                edges = (low, high)
            else:
                edges = (low,)
            for edge in edges:
                ex = _f(x(edge))
                parts.append(f'<line class="band-edge" x1="{ex}" x2="{ex}" y1="{_f(y + 2)}" y2="{_f(y + ROW - 2)}"/>')
        start = 0.0
        for seg in b.segments:
            if seg.value <= 0:
                continue
            sx, ex = x(start), x(start + seg.value)
            tip = f"<title>{escape(seg.label)}</title>" if seg.label else ""
            parts.append(f'<rect class="seg {escape(_cls(seg.css))}" x="{_f(sx)}" y="{_f(by)}" '
                         f'width="{_f(max(ex - sx, 0.5))}" height="{BAR}">{tip}</rect>')
            start += seg.value
        end = x(max(start, 0.0))
        if b.band is not None and b.band[1] is None:  # after a lone marker, not across it
            end = max(end, x(b.band[0]))
        parts.append(f'<text class="value" x="{_f(end + 6)}" y="{_f(mid)}" dy="0.35em">{escape(text)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
