"""Cell saves on PostgreSQL with accounts, served as a group serves the tracker (README "For an
advising group"): gunicorn with several workers, TRACKER_ACCOUNTS on (PostgreSQL's default), and
8 applicants each saving their own list at once. Each applicant's account is made by the
tracker's own functions (as `tracker create-account` makes it, with a temporary password); each
client signs in through /sign-in, changes that password through /password as a first sign-in
must, loads the grid for its CSRF token, then saves cells through the real endpoint with its
session cookie.

The reference is the bare endpoint of benchmarks/reference_app.py (one UPDATE, no validation, no
change log, no sign-in) on the same PostgreSQL server, under the same gunicorn command, met by the
same 8 clients; the ratios and targets are against it (those of the SQLite figures: latency ratio
<= 1.5, throughput >= 0.67 of the bare endpoint's). The bare Flask+SQLite endpoint the SQLite
figures use is measured too, in the same turns, so the two databases' floors are printed side by
side. The three take turns, so that all meet the same load from the rest of the machine.

A sign-in's cost is printed as information (no target): the Argon2id verify alone, in one
process, and a whole POST /sign-in through gunicorn, one at a time and 8 at once.

The PostgreSQL server is a temporary one, started here as the tests start theirs
(tests/pg_server.py: as the `postgres` user when run as root), on 127.0.0.1 only, and stopped
afterwards."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import bench_http  # noqa: E402
from bench_http import (BIN, CLIENTS, DURATION_S, N_PROGRAMS, ROUNDS, Client, free_port,  # noqa: E402
                        reference_saves, start, stop, summary, tracker_saves, wait_for)
from pg_server import TemporaryPostgres  # noqa: E402

WORKERS = 4  # gunicorn processes (the README's command); each with 2 threads, 8 saves at once
# the clients keep their connections between rounds, as a tab does (gunicorn closes idle ones after 2 s)
THREADS = 2
APPLICANTS = CLIENTS  # one applicant a client: 8 applicants of a group, each saving their own list
PROGRAMS_EACH = N_PROGRAMS  # each applicant's list as long as the SQLite figures' one list
PASSWORD = "bench-applicant-password"
SIGN_IN_ROUNDS = 3  # of 8 sign-ins one after another, and of 8 at once
VERIFY_RUNS = 20


def make_applicants(instance: Path, env: dict) -> list[dict]:
    """The schema (the tracker's migrations), then APPLICANTS applicant accounts with a temporary
    password each and PROGRAMS_EACH programs each (bulk-inserted as that applicant, then tiered).
    Returns each one's email, temporary password and program ids."""
    code = f"""
import json, sys; sys.path.insert(0, {str(HERE)!r})
import sqlalchemy as sa
from flask_migrate import upgrade
from generate import stored_rows
from tracker import create_app
from tracker.accounts import create_account, temporary_password
from tracker.db import db, write_transaction
from tracker.models import Program
from tracker.store import current_season_id
from tracker.tenancy import acting_as
from tracker.tiers import retier_all
app = create_app()
made = []
with app.app_context():
    assert app.config["TRACKER_ACCOUNTS"], "accounts are off"
    upgrade()
    for n in range({APPLICANTS}):
        write_transaction()
        password = temporary_password()
        account = create_account(f"applicant{{n}}@example.org", f"Applicant {{n}}", "applicant", password,
                                 must_change=True)
        with acting_as(account.id):
            rows = stored_rows({PROGRAMS_EACH}, season_id=current_season_id())
            db.session.execute(sa.insert(Program), rows)
            retier_all()
            ids = list(db.session.scalars(sa.select(Program.id).order_by(Program.id)))
        db.session.commit()
        made.append({{"email": account.email, "password": password, "ids": ids}})
print(json.dumps(made))
"""
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "TRACKER_INSTANCE_PATH": str(instance), **env},
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def form_token(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def post_sign_in(client: Client, email: str, password: str) -> float:
    """GET /sign-in (a session and its CSRF token), then POST it: the POST's seconds."""
    _, page = client.request("GET", "/sign-in")
    body = urlencode({"email": email, "password": password, "csrf_token": form_token(page)})
    started = time.perf_counter()
    response, data = client.request("POST", "/sign-in", body)
    elapsed = time.perf_counter() - started
    if response.status != 302:
        raise RuntimeError(f"sign-in answered {response.status}: {data[:300]!r}")
    return elapsed


def signed_in_clients(port: int, applicants: list[dict]) -> list[Client]:
    """One tab an applicant: signed in with the temporary password, the password changed (as a
    first sign-in must: until then every page sends it to /password), then the grid page loaded
    for its CSRF token."""
    clients = []
    for applicant in applicants:
        client = Client(port)
        post_sign_in(client, applicant["email"], applicant["password"])
        _, page = client.request("GET", "/password")
        response, data = client.request("POST", "/password", urlencode({
            "current": applicant["password"], "password": PASSWORD, "again": PASSWORD,
            "csrf_token": form_token(page)}))
        if response.status != 302:
            raise RuntimeError(f"the password change answered {response.status}: {data[:300]!r}")
        response, page = client.request("GET", "/?col=name&col=city")
        if response.status != 200:
            raise RuntimeError(f"the grid answered {response.status} after signing in")
        client.token = re.search(rb"X-CSRFToken&#34;: &#34;([^&]+)&#34;", page).group(1).decode()
        clients.append(client)
    return clients


def sign_in_times(port: int, applicants: list[dict]) -> dict:
    """POST /sign-in with the right password, each time on a new connection (a new tab): one
    applicant after another, then all of them at once."""
    one_at_a_time: list[float] = []
    at_once: list[float] = []
    lock = threading.Lock()
    for _ in range(SIGN_IN_ROUNDS):
        for applicant in applicants:
            one_at_a_time.append(post_sign_in(Client(port), applicant["email"], PASSWORD))

        def work(n: int) -> None:
            elapsed = post_sign_in(Client(port), applicants[n]["email"], PASSWORD)
            with lock:
                at_once.append(elapsed)

        bench_http.run_clients(work)
    return {"one_at_a_time_p50_ms": round(statistics.median(one_at_a_time) * 1000, 1),
            "one_at_a_time_max_ms": round(max(one_at_a_time) * 1000, 1),
            f"{CLIENTS}_at_once_p50_ms": round(statistics.median(at_once) * 1000, 1),
            f"{CLIENTS}_at_once_max_ms": round(max(at_once) * 1000, 1),
            "sign_ins": len(one_at_a_time) + len(at_once)}


def argon2_verify() -> dict:
    """The Argon2id verify a sign-in does, alone, in this process: the median of VERIFY_RUNS."""
    from tracker.accounts import _hasher

    hashed = _hasher.hash(PASSWORD)
    times = []
    for _ in range(VERIFY_RUNS):
        started = time.perf_counter()
        _hasher.verify(hashed, PASSWORD)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    return {"verify_p50_ms": round(median * 1000, 1), "per_s_one_core": round(1 / median, 1),
            "parameters": f"Argon2id t={_hasher.time_cost}, m={_hasher.memory_cost // 1024} MiB, "
                          f"p={_hasher.parallelism}"}


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp, TemporaryPostgres() as pg:
        url = pg.url()
        env = {"TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "bench-postgres-" + "k" * 32}
        instance = Path(tmp) / "instance"
        applicants = make_applicants(instance, env)
        ref_url = pg.create_database("reference")
        ref_engine = sa.create_engine(ref_url)
        with ref_engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE item (id integer PRIMARY KEY, city text)"))
            conn.execute(sa.text("INSERT INTO item (id, city) SELECT i, '' FROM generate_series(1, :n) i"),
                         {"n": N_PROGRAMS})
        ref_engine.dispose()
        port, ref_port, sqlite_port = free_port(), free_port(), free_port()
        gunicorn = [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--threads", str(THREADS), "--keep-alive", "120"]
        server = start([*gunicorn, "--bind", f"127.0.0.1:{port}", "tracker:create_app()"],
                       {"TRACKER_INSTANCE_PATH": str(instance), **env})
        reference = start([*gunicorn, "--bind", f"127.0.0.1:{ref_port}", "--chdir", str(HERE), "reference_app:app"],
                          {"REFERENCE_DATABASE_URL": ref_url.replace("+psycopg", "")})
        sqlite_reference = start([sys.executable, str(HERE / "reference_app.py"), str(Path(tmp) / "ref.sqlite3"),
                                  str(sqlite_port)])
        engine = sa.create_engine(url)
        try:
            wait_for(port, "/sign-in")
            wait_for(ref_port, "/missing")
            wait_for(sqlite_port, "/missing")
            ours = signed_in_clients(port, applicants)
            with engine.connect() as conn:
                versions = dict(conn.execute(sa.text("SELECT id, version FROM program")).all())
            own = [applicant["ids"] for applicant in applicants]
            theirs = [Client(ref_port) for _ in range(CLIENTS)]
            sqlite_theirs = [Client(sqlite_port) for _ in range(CLIENTS)]
            tracker_latencies: list[float] = []
            reference_latencies: list[float] = []
            sqlite_latencies: list[float] = []
            for n in range(ROUNDS):
                tracker_latencies += tracker_saves(ours, versions, DURATION_S / ROUNDS, start_at=n * 100_000, own=own)
                reference_latencies += reference_saves(theirs, DURATION_S / ROUNDS, start_at=n * 100_000)
                sqlite_latencies += reference_saves(sqlite_theirs, DURATION_S / ROUNDS, start_at=n * 100_000)
            saves, ref, sqlite_ref = summary(tracker_latencies), summary(reference_latencies), summary(sqlite_latencies)
            signing_in = sign_in_times(port, applicants)
            with engine.connect() as conn:
                logged = conn.scalar(sa.text("SELECT count(*) FROM change WHERE field = 'city' AND source = 'edit'"))
                # every save logged as its own applicant's, on that applicant's program
                strays = conn.scalar(sa.text(
                    "SELECT count(*) FROM change c JOIN program p ON p.id = c.program_id "
                    "WHERE c.field = 'city' AND c.source = 'edit' AND c.owner_id IS DISTINCT FROM p.owner_id"))
        finally:
            stop(server)
            stop(reference)
            stop(sqlite_reference)
            engine.dispose()
    return {
        "server": f"gunicorn, {WORKERS} workers x {THREADS} threads, PostgreSQL {pg_version()}, accounts on",
        "applicants": APPLICANTS, "programs_each": PROGRAMS_EACH,
        "saves": saves, "saves_logged": logged, "saves_logged_as_another_owner": strays,
        "reference_saves": ref, "reference": "bare Flask+PostgreSQL, the same server and gunicorn command",
        "sqlite_reference_saves": sqlite_ref,
        "save_p50_ratio": round(saves["p50_ms"] / ref["p50_ms"], 2),
        "save_p99_ratio": round(saves["p99_ms"] / ref["p99_ms"], 2),
        "save_throughput_ratio": round(saves["per_s"] / ref["per_s"], 2),
        "sign_in": {**argon2_verify(), **signing_in},
        "targets": {"latency_ratio": bench_http.TARGET_LATENCY_RATIO,
                    "throughput_ratio": bench_http.TARGET_THROUGHPUT_RATIO},
    }


def pg_version() -> str:
    from pg_server import server_bin_dir

    return server_bin_dir().parent.name


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
