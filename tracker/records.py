"""A program or a profile as the pure modules take it: a model object or a plain mapping
(a database row, a dict in a test) keyed by the catalogue's and the profile's keys. A missing
key reads as None (unknown)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def get(row: Any, key: str) -> Any:
    """``row[key]`` for a mapping, ``row.key`` for an object; None when absent (or no row)."""
    if row is None:
        return None
    return row.get(key) if isinstance(row, Mapping) else getattr(row, key, None)


def reader(row: Any) -> Callable[[str], Any]:
    """A function of one key that reads ``row`` (faster than ``get`` for many keys)."""
    if row is None:
        return lambda key: None
    if isinstance(row, Mapping):
        return row.get
    return lambda key: getattr(row, key, None)
