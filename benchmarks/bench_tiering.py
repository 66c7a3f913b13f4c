"""Tier recompute for 13,000 programs: the pure function alone, and with the database write.

Target (issue 20): at most 0.2 s each. Run with `make bench`."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of  # noqa: E402
from generate import stored_rows  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.db import db, write_transaction  # noqa: E402
from tracker.models import Profile, Program  # noqa: E402
from tracker.rules import Rules  # noqa: E402
from tracker.tiering import TIER_FIELDS, assign_tier  # noqa: E402
from tracker.store import inputs  # noqa: E402
from tracker.tiers import retier_all  # noqa: E402

N = 13_000
TARGET_S = 0.2
PROFILE = dict(visa_needed="J-1", step2_ck=226, step1_attempts=1, step2_attempts=1, graduation_year=2019,
               season_year=2027, usce_months=2)


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3"})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            from tracker.store import current_season_id

            rows = stored_rows(N, season_id=current_season_id())
            db.session.execute(sa.insert(Program), rows)
            db.session.add(Profile(**PROFILE))
            db.session.commit()

            plain = [{k: r.get(k) for k in TIER_FIELDS} for r in rows]
            rules = Rules()

            def pure_pass():  # one memo per pass, as tracker.tiers.retier_all keeps
                memo: dict = {}
                return [assign_tier(p, PROFILE, rules, memo) for p in plain]

            pure = best_of(3, pure_pass)

            # each timed run follows a profile change that moves many tiers (Step 2 CK 246 <-> 226), so
            # that the write is of real changes, not of the nothing a second identical run finds
            scores = iter([246, 226, 246, 226])

            def with_db():
                write_transaction()
                db.session.execute(sa.update(Profile).values(step2_ck=next(scores)))
                retier_all(inputs())
                db.session.commit()

            def stored_tiers() -> dict:
                return {pid: (tier, str(reasons)) for pid, tier, reasons in db.session.execute(
                    sa.select(Program.id, Program.tier, Program.tier_reasons))}

            with_db()  # 246: every program's first tier
            at_246 = stored_tiers()
            stored = best_of(3, with_db)  # 226, 246, 226
            moved = sum(at_246[pid] != tiers for pid, tiers in stored_tiers().items())
            counts = retier_all()
            db.session.rollback()
            db.engine.dispose()
    return {
        "tier_recompute_pure_13000_s": round(pure, 3),
        "tier_recompute_db_13000_s": round(stored, 3),
        "programs_rewritten_per_run": moved,
        "target_s": TARGET_S,
        "counts": dict(counts),
    }


if __name__ == "__main__":
    result = main()
    print(f"{'measure':<34} {'seconds':>8} {'target':>8}  verdict")
    for key in ("tier_recompute_pure_13000_s", "tier_recompute_db_13000_s"):
        verdict = "ok" if result[key] <= TARGET_S else "MISSED"
        print(f"{key:<34} {result[key]:>8.3f} {TARGET_S:>8.2f}  {verdict}")
    print("tiers:", result["counts"], "- programs rewritten by each timed run:", result["programs_rewritten_per_run"])
