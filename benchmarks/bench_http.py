"""The tracker's server under load, against references, on 127.0.0.1 only:
- cell saves: 8 clients for 20 s, p50/p99 latency and throughput; reference: a bare Flask
  endpoint updating one SQLite row (benchmarks/reference_app.py). Target p99 <= 25 ms, ratio <= 4.
- the grid page with 1,000 programs: time to full HTML; reference: Datasette serving the same
  table's page (1,000 rows). Target ratio <= 1.
- the JavaScript and CSS the grid page loads: bytes and requests."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
N_PROGRAMS = 1_000
CLIENTS = 8
DURATION_S = float(os.environ.get("BENCH_SECONDS", 20))
TARGET_P99_MS = 25
TARGET_SAVE_RATIO = 4
TARGET_GRID_RATIO = 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str = "/", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def start(args: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(args, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def make_tracker_db(instance: Path) -> Path:
    """A tracker database with N_PROGRAMS programs (bulk-inserted, then tiered)."""
    code = f"""
import sys; sys.path.insert(0, {str(HERE)!r})
import sqlalchemy as sa
from generate import stored_rows
from tracker import create_app
from tracker.db import db
from tracker.models import Program
from tracker.store import current_season_id
from tracker.tiers import retier_all
from flask_migrate import upgrade
app = create_app()
with app.app_context():
    upgrade()
    sid = current_season_id()
    rows = stored_rows({N_PROGRAMS}, season_id=sid)
    db.session.execute(sa.insert(Program), rows)
    retier_all()
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "TRACKER_INSTANCE_PATH": str(instance)},
                   check=True, capture_output=True)
    return instance / "tracker.sqlite3"


class Client:
    """One browser tab: its own connection, session cookie and CSRF token."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        if cookie := response.getheader("Set-Cookie"):
            self.cookie = cookie.split(";", 1)[0]
        return response, data


def run_clients(work) -> None:
    """CLIENTS threads, each running work(its number), until they all finish."""
    threads = [threading.Thread(target=work, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def tracker_saves(port: int, versions: dict[int, int]) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + DURATION_S
    ids = sorted(versions)

    def work(n: int) -> None:
        client = Client(port)
        _, page = client.request("GET", "/?col=name&col=city")
        client.token = re.search(rb"X-CSRFToken&#34;: &#34;([^&]+)&#34;", page).group(1).decode()
        i = n
        while time.monotonic() < deadline:
            pid = ids[i % len(ids)]
            i += CLIENTS  # each client its own programs: saves don't conflict
            body = urlencode({"value": f"City {i}", "version": versions[pid]})
            start = time.perf_counter()
            response, data = client.request("POST", f"/programs/{pid}/cells/city", body,
                                            {"X-CSRFToken": client.token, "HX-Request": "true"})
            elapsed = time.perf_counter() - start
            if response.status != 200:
                raise RuntimeError(f"save answered {response.status}: {data[:200]!r}")
            versions[pid] = json.loads(response.getheader("HX-Trigger"))["tracker:saved"]["version"]
            with lock:
                latencies.append(elapsed)

    run_clients(work)
    return latencies


def reference_saves(port: int) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + DURATION_S

    def work(n: int) -> None:
        client = Client(port)
        i = n
        while time.monotonic() < deadline:
            i += CLIENTS
            start = time.perf_counter()
            response, _ = client.request("POST", f"/save/{i % N_PROGRAMS + 1}", urlencode({"value": f"City {i}"}))
            elapsed = time.perf_counter() - start
            assert response.status == 200
            with lock:
                latencies.append(elapsed)

    run_clients(work)
    return latencies


def summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {"requests": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
            "per_s": round(len(ordered) / DURATION_S, 1)}


def page_time(port: int, path: str, runs: int = 10) -> tuple[float, int]:
    client = Client(port)
    client.request("GET", path)  # warm up
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        response, data = client.request("GET", path)
        times.append(time.perf_counter() - start)
        assert response.status == 200, response.status
        size = len(data)
    return statistics.median(times), size


def assets(port: int) -> dict:
    client = Client(port)
    _, page = client.request("GET", "/?tier=all")
    urls = re.findall(rb'<script src="([^"]+)"', page) + re.findall(rb'<link rel="stylesheet" href="([^"]+)"', page)
    total = 0
    for url in urls:
        _, data = client.request("GET", url.decode())
        total += len(data)
    return {"asset_requests": len(urls), "asset_bytes": total}


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        database = make_tracker_db(instance)
        port = free_port()
        server = start([str(BIN / "tracker"), "serve", "--port", str(port)], {"TRACKER_INSTANCE_PATH": str(instance)})
        try:
            wait_for(port)
            import sqlite3

            with sqlite3.connect(database) as conn:
                versions = dict(conn.execute("SELECT id, version FROM program").fetchall())
            grid_s, grid_bytes = page_time(port, "/?tier=all")
            files = assets(port)
            saves = summary(tracker_saves(port, versions))
            with sqlite3.connect(database) as conn:
                stored = conn.execute("SELECT count(*) FROM change WHERE field = 'city' AND source = 'edit'").fetchone()[0]
        finally:
            stop(server)

        ref_port = free_port()
        reference = start([sys.executable, str(HERE / "reference_app.py"), str(Path(tmp) / "ref.sqlite3"),
                           str(ref_port)])
        try:
            wait_for(ref_port, "/missing")
            ref = summary(reference_saves(ref_port))
        finally:
            stop(reference)

        ds_port = free_port()
        datasette = start([str(BIN / "datasette"), "serve", str(database), "--port", str(ds_port),
                           "--setting", "max_returned_rows", "1000"])
        try:
            wait_for(ds_port, "/")
            ds_s, ds_bytes = page_time(ds_port, f"/{database.stem}/program?_size=1000")
        finally:
            stop(datasette)

    return {
        "saves": saves, "saves_logged": stored, "reference_saves": ref,
        "save_p99_ratio": round(saves["p99_ms"] / ref["p99_ms"], 2),
        "grid_1000_s": round(grid_s, 3), "grid_bytes": grid_bytes,
        "datasette_1000_s": round(ds_s, 3), "datasette_bytes": ds_bytes,
        "grid_ratio": round(grid_s / ds_s, 2), **files,
        "targets": {"p99_ms": TARGET_P99_MS, "save_ratio": TARGET_SAVE_RATIO, "grid_ratio": TARGET_GRID_RATIO},
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
