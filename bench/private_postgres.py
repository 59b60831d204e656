"""A private PostgreSQL for a benchmark, started and stopped the way tests/with_services.sh does.

    with private_postgres() as server:
        url = server.create_database("bench")  # postgres://postgres@127.0.0.1:PORT/bench

It installs nothing: Debian's postgresql package must be there (`make test`
installs it). As root, initdb and the server run as the postgres user, which
initdb requires. Only the server started here is stopped, by its PID.
"""

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pg_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in Path(p).parent.name.split(".")]
    )
    if not found or not Path(found[-1], "initdb").exists():
        raise SystemExit("PostgreSQL is not installed: apt-get install --no-install-recommends postgresql")
    return Path(found[-1])


@dataclass
class PostgresServer:
    port: int
    folder: Path
    pid: int

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def private_postgres():
    pg_bin = _pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-pg-"))
    folder.chmod(0o755)
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_pg:
        shutil.chown(folder, "postgres")
    port = _free_port()
    subprocess.run(
        [
            *as_pg,
            str(pg_bin / "initdb"),
            "-D",
            str(folder / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    # Durable writes off: a benchmark's data is thrown away, and the floor runs with the same settings.
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c shared_buffers=512MB -c work_mem=64MB"
    )
    subprocess.run(
        [
            *as_pg,
            str(pg_bin / "pg_ctl"),
            "-D",
            str(folder / "data"),
            "-l",
            str(folder / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        ],
        check=True,
        capture_output=True,
    )
    pid = int((folder / "data" / "postmaster.pid").read_text().splitlines()[0])
    try:
        yield PostgresServer(port, folder, pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)  # PostgreSQL's "fast shutdown"
            for _ in range(300):
                os.kill(pid, 0)
                time.sleep(0.1)
        shutil.rmtree(folder, ignore_errors=True)


def run_on_database(database: str, bench) -> None:
    """Run `bench(database_url)` on a throw-away SQLite database ("sqlite": the URL is "")
    or on a private PostgreSQL ("postgres"), stopped afterwards."""
    if database == "sqlite":
        os.environ["PORTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="portal-bench-")
        bench("")
        return
    with private_postgres() as server:
        bench(server.create_database("bench"))
