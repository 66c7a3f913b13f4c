"""The styled mentor export of 1,000 programs, against pandas DataFrame.to_excel of the same
rows (plain, openpyxl engine). Target: ratio <= 1."""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of  # noqa: E402
from generate import stored_rows  # noqa: E402

from tracker import fields  # noqa: E402
from tracker.exporting import Summary, build_workbook  # noqa: E402
from tracker.tiering import assign_tier  # noqa: E402

N = 1_000
TARGET_RATIO = 1.0


def main() -> dict:
    rows = stored_rows(N)
    profile = {"visa_needed": "J-1", "step2_ck": 226}
    for i, row in enumerate(rows, start=1):
        row["id"] = i
        row["tier"] = assign_tier(row, profile).tier
    columns = list(fields.FIELDS)
    summary = Summary(by_tier={"likely": 1, "possible": 1, "reach": 1, "not_eligible": 1})

    def ours():
        out = io.BytesIO()
        build_workbook(rows, columns, summary, "bench", dt.datetime(2026, 11, 25), 0).save(out)

    import pandas as pd

    frame = pd.DataFrame([{f.export_header: (", ".join(r[f.key]) if isinstance(r[f.key], list) else r[f.key])
                           for f in columns} for r in rows])

    def reference():
        out = io.BytesIO()
        frame.to_excel(out, index=False, engine="openpyxl")

    tracker_s, pandas_s = best_of(3, ours), best_of(3, reference)
    return {"export_1000_s": round(tracker_s, 3), "pandas_to_excel_s": round(pandas_s, 3),
            "ratio": round(tracker_s / pandas_s, 3), "target_ratio": TARGET_RATIO}


if __name__ == "__main__":
    print(main())
