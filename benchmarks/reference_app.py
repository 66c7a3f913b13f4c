"""The reference for cell saves: a bare Flask endpoint that updates one SQLite row (WAL), no
validation, no change log, no CSRF. Served by waitress like the tracker."""

from __future__ import annotations

import sqlite3
import sys

from flask import Flask, request

DB = sys.argv[1] if len(sys.argv) > 1 else "reference.sqlite3"
app = Flask(__name__)


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(DB, timeout=10, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


@app.post("/save/<int:row_id>")
def save(row_id: int):
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
