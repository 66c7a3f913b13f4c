"""Cell saves on PostgreSQL, served as a group would serve the tracker: gunicorn with several
workers (README "For an advising group"), 8 clients saving at once, against the same bare
endpoint the SQLite figures use (benchmarks/reference_app.py: Flask updating one SQLite row), in
turns so both meet the same load. The PostgreSQL server is a temporary one, started here as the
tests start theirs (tests/pg_server.py), on 127.0.0.1 only, and stopped afterwards."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import bench_http  # noqa: E402
from bench_http import (BIN, CLIENTS, DURATION_S, ROUNDS, Client, free_port, make_tracker_db,  # noqa: E402
                        reference_saves, start, stop, summary, tracker_clients, tracker_saves, wait_for)
from pg_server import TemporaryPostgres  # noqa: E402

WORKERS = 4  # gunicorn processes (the README's command); each with 2 threads, 8 saves at once
# the clients keep their connections between rounds, as a tab does (gunicorn closes idle ones after 2 s)
THREADS = 2


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp, TemporaryPostgres() as pg:
        url = pg.url()
        env = {"TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "bench-postgres-" + "k" * 32}
        instance = Path(tmp) / "instance"
        make_tracker_db(instance, env=env)
        port, ref_port = free_port(), free_port()
        server = start([str(BIN / "gunicorn"), "--workers", str(WORKERS), "--threads", str(THREADS),
                        "--keep-alive", "120", "--bind", f"127.0.0.1:{port}", "tracker:create_app()"],
                       {"TRACKER_INSTANCE_PATH": str(instance), **env})
        reference = start([sys.executable, str(HERE / "reference_app.py"), str(Path(tmp) / "ref.sqlite3"),
                           str(ref_port)])
        engine = sa.create_engine(url)
        try:
            wait_for(port)
            wait_for(ref_port, "/missing")
            with engine.connect() as conn:
                versions = dict(conn.execute(sa.text("SELECT id, version FROM program")).all())
            ours, theirs = tracker_clients(port), [Client(ref_port) for _ in range(CLIENTS)]
            tracker_latencies: list[float] = []
            reference_latencies: list[float] = []
            for n in range(ROUNDS):
                tracker_latencies += tracker_saves(ours, versions, DURATION_S / ROUNDS, start_at=n * 100_000)
                reference_latencies += reference_saves(theirs, DURATION_S / ROUNDS, start_at=n * 100_000)
            saves, ref = summary(tracker_latencies), summary(reference_latencies)
            with engine.connect() as conn:
                logged = conn.scalar(sa.text("SELECT count(*) FROM change WHERE field = 'city' AND source = 'edit'"))
        finally:
            stop(server)
            stop(reference)
            engine.dispose()
    return {
        "server": f"gunicorn, {WORKERS} workers x {THREADS} threads, PostgreSQL {pg_version()}",
        "saves": saves, "saves_logged": logged, "reference_saves": ref,
        "save_p50_ratio": round(saves["p50_ms"] / ref["p50_ms"], 2),
        "save_p99_ratio": round(saves["p99_ms"] / ref["p99_ms"], 2),
        "save_throughput_ratio": round(saves["per_s"] / ref["per_s"], 2),
        "targets": {"latency_ratio": bench_http.TARGET_LATENCY_RATIO,
                    "throughput_ratio": bench_http.TARGET_THROUGHPUT_RATIO},
    }


def pg_version() -> str:
    from pg_server import server_bin_dir

    return server_bin_dir().parent.name


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
