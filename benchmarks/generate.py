"""Fictional programs for benchmarks: the demo list's variety, repeated to any size."""

from __future__ import annotations

import itertools
import random
from typing import Any, Iterator

from tracker import fields
from tracker.demo import demo_programs


def programs(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    base = list(demo_programs())
    for i, template in zip(range(n), itertools.cycle(base)):
        program = dict(template)
        program["name"] = f"{template['name']} #{i}"
        program["program_code"] = f"{2000000000 + i:010d}"
        program["img_percent"] = rng.choice([None, 0, 3, 8, 15, 22, 40, 65, 90])
        program["step2_min"] = rng.choice([None, None, 210, 215, 220, 225, 230, 240])
        program["visa_j1"] = rng.choice(["yes", "yes", "no", "unknown"])
        program["visa_h1b"] = rng.choice(["yes", "no", "no", "unknown"])
        program["setting"] = rng.choice([c.value for c in fields.SETTINGS])
        yield program


def stored_rows(n: int, season_id: int | None = None) -> list[dict[str, Any]]:
    """Rows ready for a bulk insert into the program table (values parsed by the catalogue)."""
    rows = []
    for program in programs(n):
        values, errors = fields.parse_values(program)
        assert not errors, errors
        rows.append({**fields.defaults(), **values, "version": 1, "season_id": season_id})
    return rows
