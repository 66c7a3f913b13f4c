"""Import of a 13,000-row FREIDA-style xlsx to a ready preview, against pandas.read_excel +
DataFrame.to_sql of the same file. Each side runs in its own child process, so its peak
memory (maxrss) is its own. Targets: time ratio <= 0.5, peak <= 200 MB."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

N = 13_000
TARGET_RATIO = 0.5
TARGET_PEAK_MB = 200

HEADERS = ["Program Name", "Specialty", "Program ID", "City", "State", "Program Type", "Total Positions",
           "Visa Sponsorship", "% IMG", "USMLE Step 2 CK Minimum", "Maximum Attempts", "Years Since Graduation",
           "USCE Required", "Website", "Program Contact Email"]
SETTINGS = ["University-based", "Community-based, university-affiliated", "Community-based", "Military-based",
            "Other"]
VISAS = ["J-1", "H-1B", "J-1; H-1B", "J-1, H-1B", "None", "Does not sponsor", None]


def write_freida_xlsx(path: Path, n: int) -> None:
    """N rows with FREIDA's spellings: codes as text, fractions for % IMG, words around numbers."""
    import openpyxl

    from generate import programs

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Programs")
    ws.append(HEADERS)
    for i, p in enumerate(programs(n)):
        ws.append([
            p["name"], "Internal Medicine-Pediatrics" if p["specialty"] == "med_peds" else p["specialty"].replace(
                "_", " ").title(), p["program_code"], p["city"], p["state"], SETTINGS[i % len(SETTINGS)],
            p["positions"], VISAS[i % len(VISAS)], None if p["img_percent"] is None else p["img_percent"] / 100,
            str(p["step2_min"]) if p["step2_min"] else "Not specified", ["No limit", "1", "2", None][i % 4],
            ["Within 3 years", "Within 5 years", "5", "No limit", None][i % 5], ["Yes", "No", "Preferred", None][i % 4],
            p["website"], p["contact_email"],
        ])
    wb.save(path)


def child_tracker(path: str) -> dict:
    from tracker import create_app
    from tracker.db import db
    from tracker.importing.apply import existing_programs
    from tracker.importing.mapping import convert_rows, find_header_row, map_columns, pick_sheet
    from tracker.importing.plan import make_plan
    from tracker.importing.read import read_file

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.sqlite3"})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            start = time.perf_counter()
            sheets = read_file(Path(path).read_bytes(), Path(path).name)
            sheet = sheets[pick_sheet(sheets)]
            header = find_header_row(sheet)
            columns = map_columns(sheet, header)
            plan = make_plan(convert_rows(sheet, header, columns), existing_programs())
            elapsed = time.perf_counter() - start
            db.engine.dispose()
    return {"seconds": elapsed, "rows": len(plan.rows), "new": plan.counts()["new"]}


def child_pandas(path: str) -> dict:
    import sqlite3

    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        frame = pd.read_excel(path)
        with sqlite3.connect(f"{tmp}/p.sqlite3") as conn:
            frame.to_sql("programs", conn, index=False)
        elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "rows": len(frame)}


def run_child(which: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", which, str(path)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "freida_13000.xlsx"
        write_freida_xlsx(path, N)
        tracker = min((run_child("tracker", path) for _ in range(3)), key=lambda r: r["seconds"])
        pandas = min((run_child("pandas", path) for _ in range(3)), key=lambda r: r["seconds"])
    return {
        "import_13000_to_preview_s": round(tracker["seconds"], 3),
        "import_peak_mb": round(tracker["peak_mb"], 1),
        "pandas_read_excel_to_sql_s": round(pandas["seconds"], 3),
        "pandas_peak_mb": round(pandas["peak_mb"], 1),
        "ratio": round(tracker["seconds"] / pandas["seconds"], 3),
        "rows_planned": tracker["rows"],
        "target_ratio": TARGET_RATIO,
        "target_peak_mb": TARGET_PEAK_MB,
    }


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        result = child_tracker(sys.argv[3]) if sys.argv[2] == "tracker" else child_pandas(sys.argv[3])
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
    else:
        print(json.dumps(main(), indent=2))
