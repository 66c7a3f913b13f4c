"""The tracker's server under load, against references, on 127.0.0.1 only:
- cell saves: 8 clients for 20 s, p50/p99 latency and throughput; reference: a bare Flask
  endpoint updating one SQLite row (benchmarks/reference_app.py). Target p99 <= 25 ms, ratio <= 4.
- the grid page with 1,000 programs: time to full HTML; reference: Datasette serving the same
  table's page (1,000 rows). Target ratio <= 1.
- the JavaScript and CSS the grid page loads: bytes and requests.
The same cell saves on PostgreSQL under gunicorn are benchmarks/bench_postgres.py, printed beside these."""

from __future__ import annotations

import http.client
import sqlite3
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
N_LONG_LIST = 13_000
DURATION_S = float(os.environ.get("BENCH_SECONDS", 20))
ROUNDS = 4  # the tracker and the reference take turns, DURATION_S / ROUNDS each time
TARGET_LATENCY_RATIO = 1.5  # p50 and p99, tracker / bare endpoint
TARGET_THROUGHPUT_RATIO = 0.67  # saves per second, tracker / bare endpoint
TARGET_GRID_RATIO = 0.4
TARGET_GRID_BYTES = 1_000_000
TARGET_ASSET_BYTES = 60 * 1024


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


def make_tracker_db(instance: Path, n: int = N_PROGRAMS, env: dict | None = None) -> Path:
    """A tracker database with ``n`` programs (bulk-inserted, then tiered); ``env`` may name
    another database (TRACKER_DATABASE_URL: benchmarks/bench_postgres.py)."""
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
    rows = stored_rows({n}, season_id=sid)
    db.session.execute(sa.insert(Program), rows)
    retier_all()
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "TRACKER_INSTANCE_PATH": str(instance), **(env or {})},
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


def tracker_clients(port: int) -> list[Client]:
    """CLIENTS tabs, each with the grid page loaded (its session and CSRF token)."""
    clients = []
    for _ in range(CLIENTS):
        client = Client(port)
        _, page = client.request("GET", "/?col=name&col=city")
        client.token = re.search(rb"X-CSRFToken&#34;: &#34;([^&]+)&#34;", page).group(1).decode()
        clients.append(client)
    return clients


def tracker_saves(clients: list[Client], versions: dict[int, int], seconds: float, start_at: int = 0,
                  own: list[list[int]] | None = None) -> list[float]:
    """Each client saves the city of one program after another for ``seconds``; ``own``: the
    programs each client may save (with accounts, its applicant's), else every client takes its
    share of one list."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    ids = sorted(versions)

    def work(n: int) -> None:
        client = clients[n]
        i = start_at + n
        mine, step = (own[n], 1) if own else (ids, CLIENTS)
        while time.monotonic() < deadline:
            pid = mine[i % len(mine)]
            i += step  # each client its own programs: saves don't conflict
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


def reference_saves(clients: list[Client], seconds: float, start_at: int = 0) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def work(n: int) -> None:
        client = clients[n]
        i = start_at + n
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


def sqlite_commit_floor(path: Path, runs: int = 2000) -> dict:
    """The floor under any save: one row updated and committed by sqlite3 alone (WAL, synchronous
    NORMAL as the tracker sets them), one connection, no server: median and p99 in ms."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, city TEXT)")
    conn.executemany("INSERT OR IGNORE INTO item (id, city) VALUES (?, '')", [(i,) for i in range(1, 1001)])
    times = []
    for i in range(runs):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE item SET city = ? WHERE id = ?", (f"City {i}", i % 1000 + 1))
        conn.execute("COMMIT")
        times.append(time.perf_counter() - start)
    conn.close()
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 3),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 3)}


def summary(latencies: list[float], seconds: float = DURATION_S) -> dict:
    ordered = sorted(latencies)
    return {"requests": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
            "per_s": round(len(ordered) / seconds, 1)}


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
    """The scripts and style sheets the grid loads: their bytes on the wire, asked for as Chromium
    asks (Accept-Encoding), and as files."""
    client = Client(port)
    _, page = client.request("GET", "/?tier=all")
    urls = re.findall(rb'<script src="([^"]+)"', page) + re.findall(rb'<link rel="stylesheet" href="([^"]+)"', page)
    wire = raw = 0
    for url in urls:
        _, data = client.request("GET", url.decode(), headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
        wire += len(data)
        _, data = client.request("GET", url.decode())
        raw += len(data)
    return {"asset_requests": len(urls), "asset_bytes": wire, "asset_file_bytes": raw}


def long_list_pages(tmp: Path) -> dict:
    """N_LONG_LIST programs in the grid: the first page and the next one (pages of 1,000 rows)."""
    instance = tmp / "long"
    make_tracker_db(instance, N_LONG_LIST)
    port = free_port()
    server = start([str(BIN / "tracker"), "serve", "--port", str(port)], {"TRACKER_INSTANCE_PATH": str(instance)})
    try:
        wait_for(port)
        first_s, first_bytes = page_time(port, "/?tier=all", runs=5)
        next_s, next_bytes = page_time(port, "/?tier=all&page=2", runs=5)
    finally:
        stop(server)
    return {"programs": N_LONG_LIST, "first_page_s": round(first_s, 3), "first_page_bytes": first_bytes,
            "next_page_s": round(next_s, 3), "next_page_bytes": next_bytes}


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        database = make_tracker_db(instance)
        floor = sqlite_commit_floor(Path(tmp) / "floor.sqlite3")
        port, ref_port = free_port(), free_port()
        server = start([str(BIN / "tracker"), "serve", "--port", str(port)], {"TRACKER_INSTANCE_PATH": str(instance)})
        reference = start([sys.executable, str(HERE / "reference_app.py"), str(Path(tmp) / "ref.sqlite3"),
                           str(ref_port)])
        try:
            wait_for(port)
            wait_for(ref_port, "/missing")
            with sqlite3.connect(database) as conn:
                versions = dict(conn.execute("SELECT id, version FROM program").fetchall())
            grid_s, grid_bytes = page_time(port, "/?tier=all")
            files = assets(port)
            ours, theirs = tracker_clients(port), [Client(ref_port) for _ in range(CLIENTS)]
            tracker_latencies: list[float] = []
            reference_latencies: list[float] = []
            for n in range(ROUNDS):  # in turns, so that both meet the same load from the rest of the machine
                tracker_latencies += tracker_saves(ours, versions, DURATION_S / ROUNDS, start_at=n * 100_000)
                reference_latencies += reference_saves(theirs, DURATION_S / ROUNDS, start_at=n * 100_000)
            saves, ref = summary(tracker_latencies), summary(reference_latencies)
            with sqlite3.connect(database) as conn:
                stored = conn.execute("SELECT count(*) FROM change WHERE field = 'city' AND source = 'edit'").fetchone()[0]
        finally:
            stop(server)
            stop(reference)

        ds_port = free_port()
        datasette = start([str(BIN / "datasette"), "serve", str(database), "--port", str(ds_port),
                           "--setting", "max_returned_rows", "1000"])
        try:
            wait_for(ds_port, "/")
            ds_s, ds_bytes = page_time(ds_port, f"/{database.stem}/program?_size=1000")
        finally:
            stop(datasette)
        long_list = long_list_pages(Path(tmp))

    return {
        "saves": saves, "saves_logged": stored, "reference_saves": ref, "sqlite_commit_floor": floor,
        "save_p50_ratio": round(saves["p50_ms"] / ref["p50_ms"], 2),
        "save_p99_ratio": round(saves["p99_ms"] / ref["p99_ms"], 2),
        "save_throughput_ratio": round(saves["per_s"] / ref["per_s"], 2),
        "grid_1000_s": round(grid_s, 3), "grid_bytes": grid_bytes,
        "datasette_1000_s": round(ds_s, 3), "datasette_bytes": ds_bytes,
        "grid_ratio": round(grid_s / ds_s, 2), **files, "long_list": long_list,
        "targets": {"latency_ratio": TARGET_LATENCY_RATIO, "throughput_ratio": TARGET_THROUGHPUT_RATIO,
                    "grid_ratio": TARGET_GRID_RATIO, "grid_bytes": TARGET_GRID_BYTES,
                    "asset_bytes": TARGET_ASSET_BYTES},
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
