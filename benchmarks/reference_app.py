"""The reference for cell saves: a bare Flask endpoint that updates one row, no validation, no
change log, no CSRF, no sign-in.

- SQLite (WAL), served by waitress like the tracker: `python reference_app.py FILE PORT`.
- PostgreSQL, served by gunicorn like a group's tracker: REFERENCE_DATABASE_URL=postgresql://...
  `gunicorn ... reference_app:app`; one connection per thread, kept (as a pool keeps them), each
  UPDATE committed on its own. The table ``item`` is made by the caller (benchmarks/bench_postgres.py).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading

from flask import Flask, request

POSTGRES_URL = os.environ.get("REFERENCE_DATABASE_URL", "")
DB = sys.argv[1] if __name__ == "__main__" and len(sys.argv) > 1 else "reference.sqlite3"
app = Flask(__name__)
_local = threading.local()


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(DB, timeout=10, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def postgres():
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        import psycopg

        conn = _local.conn = psycopg.connect(POSTGRES_URL, autocommit=True)
    return conn


@app.post("/save/<int:row_id>")
def save(row_id: int):
    if POSTGRES_URL:
        postgres().execute("UPDATE item SET city = %s WHERE id = %s", (request.form["value"], row_id))
        return "ok"
    conn = connect()
    conn.execute("UPDATE item SET city = ? WHERE id = ?", (request.form["value"], row_id))
    conn.close()
    return "ok"


if __name__ == "__main__":
    setup = connect()
    setup.execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, city TEXT)")
    setup.executemany("INSERT OR IGNORE INTO item (id, city) VALUES (?, '')", [(i,) for i in range(1, 1001)])
    setup.close()
    from waitress import serve

    serve(app, host="127.0.0.1", port=int(sys.argv[2]), threads=8, ident="reference")
