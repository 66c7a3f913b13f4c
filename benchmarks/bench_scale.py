"""The scale case of issue 16: a file of 6,000 new programs previewed against 27,000 stored ones
(read, map, convert, load the stored programs and plan, as the preview does), which took 52-56 s
when every new row was compared with every stored program.

Target: under 3 s. Run with `make bench`."""

from __future__ import annotations

import csv
import io
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import programs, stored_rows  # noqa: E402

from tracker import create_app, fields  # noqa: E402
from tracker.db import db  # noqa: E402
from tracker.importing.apply import existing_programs  # noqa: E402
from tracker.importing.drafts import columns_of, detect  # noqa: E402
from tracker.importing.mapping import convert_rows  # noqa: E402
from tracker.importing.plan import make_plan  # noqa: E402
from tracker.importing.read import read_file  # noqa: E402
from tracker.models import Program  # noqa: E402

STORED = 27_000
NEW = 6_000
TARGET_S = 3.0
COLUMNS = ("name", "program_code", "specialty", "city", "state", "setting", "visa_j1", "visa_h1b", "img_percent",
           "step2_min", "positions")


def new_file() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([fields.get(k).export_header for k in COLUMNS])
    for i, p in enumerate(programs(NEW, seed=11)):
        p["name"] = f"{p['name'].split(' #')[0]} North {i}"
        p["program_code"] = f"{3000000000 + i:010d}"
        writer.writerow([fields.get(k).display(fields.get(k).parse(p.get(k))) if p.get(k) is not None else ""
                         for k in COLUMNS])
    return out.getvalue().encode()


def main() -> dict:
    data = new_file()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3"})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            from tracker.store import current_season_id

            db.session.execute(sa.insert(Program), stored_rows(STORED, season_id=current_season_id()))
            db.session.commit()
            steps = {}
            start = last = time.perf_counter()

            def step(name: str) -> None:
                nonlocal last
                now = time.perf_counter()
                steps[name] = round(now - last, 3)
                last = now

            sheets = read_file(data, "new.csv")
            detected = detect(sheets)
            step("read_s")
            rows = convert_rows(detected.sheet, detected.header_row, columns_of(detected.sheet, detected.header_row))
            step("convert_s")
            stored = existing_programs()
            step("load_stored_s")
            plan = make_plan(rows, stored)
            step("plan_s")
            seconds = time.perf_counter() - start
            new = sum(r.kind == "new" for r in plan.rows)
    return {"preview_6000_against_27000_s": round(seconds, 3), "new_rows": new, "target_s": TARGET_S, **steps}


if __name__ == "__main__":
    result = main()
    verdict = "ok" if result["preview_6000_against_27000_s"] < TARGET_S else "MISSED"
    print(f"6,000 new rows against 27,000 stored, to a plan: {result['preview_6000_against_27000_s']} s "
          f"(target < {TARGET_S} s, {result['new_rows']} new) {verdict}; read {result['read_s']} s, convert "
          f"{result['convert_s']} s, stored programs {result['load_stored_s']} s, plan {result['plan_s']} s")
