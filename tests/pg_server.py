"""A throwaway PostgreSQL server from Debian's `postgresql` package, for the tests and the bench.

It runs in a temporary folder on a free port and is stopped (and the folder removed) afterwards.
``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user that the
package creates. Nothing here reaches a server already on the machine.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def server_bin_dir() -> Path:
    """Where initdb and pg_ctl are: Debian keeps them out of PATH, in /usr/lib/postgresql/N/bin."""
    if env := os.environ.get("TRACKER_PG_BIN"):
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    if path := shutil.which("initdb"):
        return Path(path).parent
    raise PostgresUnavailable(
        "PostgreSQL's server programs (initdb, pg_ctl) are not installed: `make test` installs "
        "Debian's postgresql package, or run `apt-get install postgresql`")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TemporaryPostgres:
    """``with TemporaryPostgres() as pg: pg.url`` — a fresh server with one database, ``tracker``."""

    def __init__(self) -> None:
        self.bin = server_bin_dir()
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
        self.data = self.folder / "data"
        self.user = None if os.geteuid() else "postgres"
        self.started = False

    # -- running the server's programs as the right user
    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and result.returncode:
            raise PostgresUnavailable(f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result

    def start(self) -> "TemporaryPostgres":
        if self.user:
            try:
                owner = pwd.getpwnam(self.user)
            except KeyError:
                raise PostgresUnavailable("there is no `postgres` user to run the server as "
                                          "(Debian's postgresql package creates it)") from None
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "tracker", "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-o", options, "-w", "-t", "60", "start")
        self.started = True
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "tracker", "tracker")
        return self

    def url(self, database: str = "tracker") -> str:
        return f"postgresql+psycopg://tracker@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "tracker", name)
        return self.url(name)

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "TemporaryPostgres":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
