"""A private Redis for a benchmark, started and stopped the way tests/with_services.sh does.

    with private_redis() as url:  # redis://127.0.0.1:PORT/0

Only the server started here is stopped, by its PID. Debian's redis-server
package must be there (`make test` installs it).
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def private_redis() -> Iterator[str]:
    if shutil.which("redis-server") is None:
        raise SystemExit("Redis is not installed: apt-get install --no-install-recommends redis-server")
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-redis-"))
    port = _free_port()
    pidfile = folder / "redis.pid"
    subprocess.run(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
            "--pidfile",
            str(pidfile),
            "--logfile",
            str(folder / "redis.log"),
        ],
        check=True,
    )
    for _ in range(100):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.05)
    pid = int(pidfile.read_text())
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        shutil.rmtree(folder, ignore_errors=True)
