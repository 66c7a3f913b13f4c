"""The grid's layout as the person left it: which columns show, in what order, how wide.

A newcomer sees the catalogue's first-screen columns (``Field.first_screen``); every change the
person makes (a column shown or hidden, a group folded, a column moved or widened) is kept, so the
grid looks the same on the next visit without saving a view. A view that names its columns
(``?col=``, a saved view) shows those, in the layout's order. The Program column stays first: it
is the column that stays on screen while the grid scrolls sideways."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from . import fields

# The grid puts the wide free-text columns after the application's: a newcomer reads the status
# and the email beside the screening columns, the notes last. The export keeps the catalogue's order.
LAST_GROUPS = ("Mission",)
DEFAULT_ORDER: tuple[str, ...] = tuple(
    f.key for _, f in sorted(enumerate(fields.FIELDS), key=lambda item: (item[1].group in LAST_GROUPS, item[0])))
MIN_WIDTH, MAX_WIDTH = 40, 2000  # pixels


class LayoutError(ValueError):
    """A layout change that names no column of the catalogue (the message says what is accepted)."""


def _known(keys: Any) -> list[str]:
    """The catalogue keys among ``keys``, each once, in the order given."""
    seen: list[str] = []
    for key in keys if isinstance(keys, (list, tuple)) else []:
        if isinstance(key, str) and key in fields.BY_KEY and key not in seen:
            seen.append(key)
    return seen


@dataclass(frozen=True)
class Layout:
    shown: tuple[str, ...] = tuple(k for k in DEFAULT_ORDER if k in fields.FIRST_SCREEN)
    order: tuple[str, ...] = DEFAULT_ORDER
    widths: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_stored(cls, stored: Any) -> Layout:
        """The layout kept in the database (a mapping), with what the catalogue no longer has left
        out and what it gained since put in its default place."""
        stored = stored if isinstance(stored, dict) else {}
        order = _known(stored.get("order"))
        for i, key in enumerate(DEFAULT_ORDER):  # a column added since: after its default neighbour
            if key not in order:
                before = DEFAULT_ORDER[i - 1] if i else None
                order.insert(order.index(before) + 1 if before in order else len(order), key)
        order = ["name", *(k for k in order if k != "name")]
        shown = set(_known(stored.get("shown")) if "shown" in stored else fields.FIRST_SCREEN) | {"name"}
        kept = stored.get("widths") if isinstance(stored.get("widths"), dict) else {}
        widths = {k: w for k, w in kept.items()
                  if k in fields.BY_KEY and type(w) is int and MIN_WIDTH <= w <= MAX_WIDTH}
        return cls(shown=tuple(k for k in order if k in shown), order=tuple(order), widths=widths)

    @property
    def widths_tag(self) -> str | None:
        """A short name for the widths (the stylesheet's address changes with them), None for none."""
        if not self.widths:
            return None
        text = ",".join(f"{k}:{w}" for k, w in sorted(self.widths.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:10]

    def to_stored(self) -> dict[str, Any]:
        return {"shown": list(self.shown), "order": list(self.order), "widths": dict(self.widths)}

    # -- what the grid draws ---------------------------------------------------------------------

    def columns(self, chosen: list[str] | None = None) -> list[fields.Field]:
        """The grid's columns in the layout's order: the view's ``chosen`` ones, or the shown ones."""
        keys = set(chosen or self.shown) | {"name"}
        return [fields.BY_KEY[k] for k in self.order if k in keys]

    def hidden_in(self, group: str, chosen: list[str] | None = None) -> int:
        """How many of a group's columns the grid doesn't show."""
        shown = {f.key for f in self.columns(chosen)}
        return sum(1 for f in fields.FIELDS if f.group == group and f.key not in shown)

    # -- changes (each returns a new layout) -------------------------------------------------------

    def showing(self, keys: list[str]) -> Layout:
        """Show exactly ``keys`` (and the Program column)."""
        chosen = _known(keys)
        if not chosen:
            raise LayoutError("Choose at least one column to show.")
        return replace(self, shown=tuple(k for k in self.order if k in set(chosen) | {"name"}))

    def toggled(self, group: str) -> Layout:
        """A group's columns: all shown when some are hidden, else all hidden (Program stays)."""
        members = [f.key for f in fields.FIELDS if f.group == group and f.key != "name"]
        if not members:
            raise LayoutError(f"There is no column group “{str(group)[:40]}”: the groups are "
                              f"{', '.join(fields.GROUPS)}.")
        shown = set(self.shown)
        shown = shown | set(members) if not set(members) <= shown else shown - set(members)
        return replace(self, shown=tuple(k for k in self.order if k in shown | {"name"}))

    def moved(self, key: str, *, before: str | None = None, after: str | None = None) -> Layout:
        """Move a column just before or after another one."""
        target = before or after
        if key not in fields.BY_KEY or target not in fields.BY_KEY:
            raise LayoutError("Move a column of the grid before or after another one.")
        if key == "name" or (before == "name"):
            raise LayoutError("The Program column stays first, where it stays on screen while you scroll.")
        if key == target:
            return self
        order = [k for k in self.order if k != key]
        at = order.index(target) + (0 if before else 1)
        order.insert(at, key)
        return replace(self, order=tuple(order))

    def widened(self, key: str, width: Any) -> Layout:
        """A column's width in pixels, as the person dragged or keyed it."""
        if key not in fields.BY_KEY:
            raise LayoutError("Set the width of a column of the grid.")
        try:
            pixels = round(float(str(width).strip()))
        except (TypeError, ValueError, OverflowError):
            raise LayoutError(f"A column's width is a number of pixels from {MIN_WIDTH} to {MAX_WIDTH:,}.") from None
        return replace(self, widths={**self.widths, key: max(MIN_WIDTH, min(MAX_WIDTH, pixels))})

    def reset(self) -> Layout:
        """The first screen again: the catalogue's columns, order and widths."""
        return Layout()

    def everything(self) -> Layout:
        return replace(self, shown=self.order)
