"""Import of a 13,000-row FREIDA-style xlsx to a ready preview, the way a person does it (upload,
the mapping page, confirm the mapping, the preview page, through the app's test client),
against pandas.read_excel + DataFrame.to_sql of the same file. Each side runs in its own child process, so its peak
memory (maxrss) is its own. Targets: time ratio <= 0.5, peak <= 200 MB."""

from __future__ import annotations

import io
import json
import re
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


def mapping_form(page: str) -> dict:
    """The mapping page's form as the browser would send it, suggestions accepted."""
    form = {}
    for name, block in re.findall(r'<select id="col-\d+" name="(col-\d+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', block)
        form[name] = chosen.group(1) if chosen else ""
    form["sheet"] = re.search(r'name="sheet" value="([^"]*)"', page).group(1)
    form["header_row"] = re.search(r'name="header_row" value="(\d+)"', page).group(1)
    return form


def child_tracker(path: str) -> dict:
    """The path a person takes in the browser, through the app's test client: upload, the
    mapping page, confirm the suggested mapping, the preview."""
    import os

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TRACKER_INSTANCE_PATH"] = f"{tmp}/instance"
        from flask_migrate import upgrade

        from tracker import create_app
        from tracker.db import db

        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.sqlite3",
                          "WTF_CSRF_ENABLED": False})
        with app.app_context():
            upgrade()
        client = app.test_client()
        steps = {}

        def timed(step: str, fn):
            start = time.perf_counter()
            response = fn()
            steps[step] = time.perf_counter() - start
            assert response.status_code in (200, 302), (step, response.status_code)
            return response

        uploaded = timed("upload", lambda: client.post(
            "/imports", data={"file": (io.BytesIO(Path(path).read_bytes()), Path(path).name)},
            content_type="multipart/form-data"))
        mapping_url = uploaded.headers["Location"]
        page = timed("mapping_get", lambda: client.get(mapping_url)).get_data(as_text=True)
        form = mapping_form(page)
        mapped = timed("mapping_post", lambda: client.post(mapping_url, data=form))
        preview = timed("preview_get", lambda: client.get(mapped.headers["Location"])).get_data(as_text=True)
        new = int(re.search(r'<span class="pill p-new">(\d+) new</span>', preview).group(1))
        with app.app_context():
            db.engine.dispose()
    return {"seconds": sum(steps.values()), "steps": {k: round(v, 3) for k, v in steps.items()}, "rows": new}


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
        "import_steps_s": tracker["steps"],
        "rows_planned": tracker["rows"],
        "target_ratio": TARGET_RATIO,
        "target_peak_mb": TARGET_PEAK_MB,
    }


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        result = child_tracker(sys.argv[3]) if sys.argv[2] == "tracker" else child_pandas(sys.argv[3])
        result["peak_mb"] = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
        print(json.dumps(result))
    else:
        print(json.dumps(main(), indent=2))
