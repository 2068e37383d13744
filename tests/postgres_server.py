"""A throwaway PostgreSQL server for the DuckLake tests: `initdb` and `pg_ctl` into a temporary folder.

Debian's `postgresql` package keeps its programs in /usr/lib/postgresql/<version>/bin, off PATH,
so they are looked up there too.  PostgreSQL refuses to run as root: as root the cluster folder
is handed to the `postgres` user the package creates and every program runs through `runuser`.
The server listens on 127.0.0.1 only (no Unix socket), on a port free when it starts, trusts
local connections, and is stopped and deleted when the test session ends.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from required_tools import missing

HINT = "install PostgreSQL (Debian: apt-get install postgresql; .ci/run does this as root)"


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    bindir: str = ""
    run_as: str | None = None  # the user PostgreSQL's programs run as (`postgres` when we are root)

    def address(self, dbname: str) -> str:
        """The warehouse address of a DuckLake whose catalog is the database `dbname`."""
        return f"ducklake:postgres:dbname={dbname} host={self.host} port={self.port} user={self.user}"

    def create_database(self, dbname: str) -> None:
        _run(self.bindir, "psql", "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", "postgres",
             "-v", "ON_ERROR_STOP=1", "-c", f'CREATE DATABASE "{dbname}"', run_as=self.run_as)


def _bindir() -> str:
    initdb = shutil.which("initdb") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None)
    if initdb is None:
        missing("initdb", HINT)
    return str(Path(initdb).resolve().parent)  # a symlink on PATH points into the version's folder


def _run(bindir: str, program: str, *args: str, run_as: str | None) -> None:
    command = [str(Path(bindir) / program), *args]
    if run_as:
        command = ["runuser", "-u", run_as, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"{program} failed: {(done.stderr or done.stdout).strip()}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_postgres():
    """Start a server; yields a PostgresServer and stops and deletes it afterwards (a generator fixture body)."""
    bindir = _bindir()
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            missing("a postgres user", HINT)
    run_as = owner.pw_name if owner else None
    folder = Path(tempfile.mkdtemp(prefix="creditlens-pg-"))
    if owner:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data = folder / "data"
    port = free_port()
    server = PostgresServer("127.0.0.1", port, "postgres", bindir, run_as)
    try:
        _run(bindir, "initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync",
             run_as=run_as)
        log = folder / "server.log"
        try:
            _run(bindir, "pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60",
                 "-o", f"-h 127.0.0.1 -p {port} -k '' -c fsync=off", "start", run_as=run_as)
        except RuntimeError as exc:
            server_said = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{exc}\n{server_said}") from None
        try:
            yield server
        finally:
            _run(bindir, "pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop", run_as=run_as)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
