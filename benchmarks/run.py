"""`make bench`: every benchmark, one table, and the figures as JSON in benchmarks/results/."""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_export  # noqa: E402
import bench_http  # noqa: E402
import bench_import  # noqa: E402
import bench_postgres  # noqa: E402
import bench_scale  # noqa: E402
import bench_tiering  # noqa: E402
import bench_uploads  # noqa: E402


def main() -> int:
    rows = []  # (measure, value, unit, reference, ratio, target, met)
    tiering = bench_tiering.main()
    for key, label in (("tier_recompute_pure_13000_s", "Tier recompute, 13,000 programs (pure)"),
                       ("tier_recompute_db_13000_s", "Tier recompute, 13,000 programs (with DB write)")):
        value = tiering[key]
        rows.append((label, value, "s", None, None, f"<= {tiering['target_s']} s", value <= tiering["target_s"]))
    imp = bench_import.main()
    rows.append(("Import 13,000-row xlsx to preview", imp["import_13000_to_preview_s"], "s",
                 f"pandas read_excel+to_sql {imp['pandas_read_excel_to_sql_s']} s", imp["ratio"],
                 f"ratio <= {imp['target_ratio']}", imp["ratio"] <= imp["target_ratio"]))
    rows.append(("Import peak memory (child maxrss)", imp["import_peak_mb"], "MB",
                 f"pandas {imp['pandas_peak_mb']} MB", round(imp["import_peak_mb"] / imp["pandas_peak_mb"], 2),
                 f"<= {imp['target_peak_mb']} MB", imp["import_peak_mb"] <= imp["target_peak_mb"]))
    scale = bench_scale.main()
    rows.append(("Preview 6,000 new against 27,000 stored", scale["preview_6000_against_27000_s"], "s",
                 f"plan {scale['plan_s']} s, stored {scale['load_stored_s']} s", None,
                 f"< {scale['target_s']} s", scale["preview_6000_against_27000_s"] < scale["target_s"]))
    uploads = bench_uploads.main()
    for name, r in uploads["uploads"].items():  # each through a `tracker serve` of its own
        rows.append((f"Upload: {name}", r["peak_mb"], "MB", f"{r['seconds']} s, copies {r['copies_bytes'] / 1e6:.2f} MB"
                     f" of a {r['file_bytes'] / 1e6:.2f} MB file", None,
                     f"<= {uploads['target_peak_mb']} MB, {uploads['target_s']:g} s", r["met"]))
    exp = bench_export.main()
    rows.append(("Styled mentor export, 1,000 programs", exp["export_1000_s"], "s",
                 f"pandas to_excel {exp['pandas_to_excel_s']} s", exp["ratio"], f"ratio <= {exp['target_ratio']}",
                 exp["ratio"] <= exp["target_ratio"]))
    web = bench_http.main()
    saves, ref, floor, targets = web["saves"], web["reference_saves"], web["sqlite_commit_floor"], web["targets"]
    latency = targets["latency_ratio"]
    rows.append((f"Cell save p50 ({bench_http.CLIENTS} clients, {bench_http.DURATION_S:g} s)", saves["p50_ms"], "ms",
                 f"bare Flask+SQLite {ref['p50_ms']} ms", web["save_p50_ratio"], f"ratio <= {latency}",
                 web["save_p50_ratio"] <= latency))
    rows.append(("Cell save p99", saves["p99_ms"], "ms", f"bare Flask+SQLite {ref['p99_ms']} ms",
                 web["save_p99_ratio"], f"ratio <= {latency}", web["save_p99_ratio"] <= latency))
    rows.append(("Cell saves per second (all stored and logged)", saves["per_s"], "/s",
                 f"bare Flask+SQLite {ref['per_s']}/s", web["save_throughput_ratio"],
                 f"ratio >= {targets['throughput_ratio']}",
                 web["save_throughput_ratio"] >= targets["throughput_ratio"]))
    rows.append(("  saves logged in the change log", web["saves_logged"], "", f"of {saves['requests']} saved",
                 None, "all", web["saves_logged"] == saves["requests"]))
    rows.append(("  floor: bare endpoint p50 (no server logic)", ref["p50_ms"], "ms", f"p99 {ref['p99_ms']} ms",
                 None, "(floor)", True))
    rows.append(("  floor: SQLite update+commit alone", floor["p50_ms"], "ms", f"p99 {floor['p99_ms']} ms",
                 None, "(floor)", True))
    # The same saves on PostgreSQL under gunicorn with accounts (a group's tracker: 8 applicants,
    # each signed in and saving their own list), against a bare endpoint on the same server
    pg = bench_postgres.main()
    pg_saves, pg_ref, pg_sqlite = pg["saves"], pg["reference_saves"], pg["sqlite_reference_saves"]
    label = f"PG+accounts, gunicorn {bench_postgres.WORKERS}x{bench_postgres.THREADS}"
    rows.append((f"Cell save p50, {label}", pg_saves["p50_ms"], "ms", f"bare Flask+PostgreSQL {pg_ref['p50_ms']} ms",
                 pg["save_p50_ratio"], f"ratio <= {latency}", pg["save_p50_ratio"] <= latency))
    rows.append((f"Cell save p99, {label}", pg_saves["p99_ms"], "ms", f"bare Flask+PostgreSQL {pg_ref['p99_ms']} ms",
                 pg["save_p99_ratio"], f"ratio <= {latency}", pg["save_p99_ratio"] <= latency))
    rows.append((f"Cell saves per second, {label}", pg_saves["per_s"], "/s",
                 f"bare Flask+PostgreSQL {pg_ref['per_s']}/s", pg["save_throughput_ratio"],
                 f"ratio >= {targets['throughput_ratio']}",
                 pg["save_throughput_ratio"] >= targets["throughput_ratio"]))
    rows.append(("  PostgreSQL saves logged in the change log", pg["saves_logged"], "",
                 f"of {pg_saves['requests']} saved", None, "all", pg["saves_logged"] == pg_saves["requests"]))
    rows.append(("  logged as another applicant's", pg["saves_logged_as_another_owner"], "",
                 f"of {pg['applicants']} applicants' saves", None, "none", pg["saves_logged_as_another_owner"] == 0))
    rows.append(("  floor: bare Flask+PostgreSQL p50 (gunicorn)", pg_ref["p50_ms"], "ms", f"p99 {pg_ref['p99_ms']} ms",
                 None, "(floor)", True))
    rows.append(("  floor: bare Flask+SQLite p50, same turns", pg_sqlite["p50_ms"], "ms",
                 f"p99 {pg_sqlite['p99_ms']} ms, {pg_sqlite['per_s']}/s", None, "(floor)", True))
    sign_in = pg["sign_in"]
    rows.append(("Sign-in: Argon2id verify alone (one process)", sign_in["verify_p50_ms"], "ms",
                 f"{sign_in['parameters']}", None, "(information)", True))
    rows.append((f"Sign-in: POST /sign-in, {label}", sign_in["one_at_a_time_p50_ms"], "ms",
                 f"max {sign_in['one_at_a_time_max_ms']} ms, one at a time", None, "(information)", True))
    rows.append((f"Sign-in: {bench_http.CLIENTS} at once, p50", sign_in[f"{bench_http.CLIENTS}_at_once_p50_ms"], "ms",
                 f"max {sign_in[f'{bench_http.CLIENTS}_at_once_max_ms']} ms", None, "(information)", True))
    rows.append(("Grid page, 1,000 programs, full HTML", web["grid_1000_s"], "s",
                 f"Datasette {web['datasette_1000_s']} s", web["grid_ratio"],
                 f"ratio <= {targets['grid_ratio']}", web["grid_ratio"] <= targets["grid_ratio"]))
    rows.append(("Grid HTML, 1,000 programs", round(web["grid_bytes"] / 1e6, 2), "MB",
                 f"Datasette {round(web['datasette_bytes'] / 1e6, 2)} MB",
                 round(web["grid_bytes"] / web["datasette_bytes"], 2), f"<= {targets['grid_bytes'] / 1e6:g} MB",
                 web["grid_bytes"] <= targets["grid_bytes"]))
    long_list = web["long_list"]
    rows.append((f"Grid of {long_list['programs']:,} programs, first page", long_list["first_page_s"], "s",
                 f"Datasette 1,000 rows {web['datasette_1000_s']} s",
                 round(long_list["first_page_s"] / web["datasette_1000_s"], 2), f"ratio <= {targets['grid_ratio']}",
                 long_list["first_page_s"] / web["datasette_1000_s"] <= targets["grid_ratio"]))
    rows.append((f"Grid of {long_list['programs']:,} programs, next page", long_list["next_page_s"], "s",
                 f"Datasette 1,000 rows {web['datasette_1000_s']} s",
                 round(long_list["next_page_s"] / web["datasette_1000_s"], 2), f"ratio <= {targets['grid_ratio']}",
                 long_list["next_page_s"] / web["datasette_1000_s"] <= targets["grid_ratio"]))
    rows.append(("JS + CSS the grid loads (on the wire)", round(web["asset_bytes"] / 1024, 1), "KB",
                 f"{web['asset_requests']} requests, {round(web['asset_file_bytes'] / 1024)} KB as files", None, f"<= {targets['asset_bytes'] // 1024} KB",
                 web["asset_bytes"] <= targets["asset_bytes"]))

    print(f"\n{'measure':<50} {'value':>10}  {'reference':<36} {'ratio':>6}  {'target':<16} verdict")
    for measure, value, unit, reference, ratio, target, met in rows:
        print(f"{measure:<50} {value:>8} {unit:<2} {reference or '':<36} {'' if ratio is None else ratio:>6}  "
              f"{target:<16} {'ok' if met else 'MISSED'}")
    out = HERE / "results" / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                               "rows": [dict(zip(("measure", "value", "unit", "reference", "ratio", "target",
                                                  "met"), r)) for r in rows],
                               "tiering": tiering, "import": imp, "uploads": uploads, "export": exp, "http": web,
                               "postgres": pg}, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(HERE.parent)}")
    missed = [r[0] for r in rows if not r[6]]
    if missed:
        print("\nMISSED: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
