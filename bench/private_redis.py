"""A private Redis for a benchmark, started and stopped the way tests/with_services.sh does.

    with private_redis() as url:  # redis://127.0.0.1:PORT/0

    with celery_worker(env, "exports") as worker:  # a real worker on that Redis
        ...; worker.peak_mb()

Only the server started here is stopped, by its PID. Debian's redis-server
package must be there (`make test` installs it).
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# The portal's own modules, for the benchmarks that put only bench/ on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from portal.worker_command import worker_command


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


@dataclass
class BenchWorker:
    """A real Celery worker (prefork, one child), as `make run` starts one, on the queues named."""

    process: subprocess.Popen
    log_path: Path

    def peak_mb(self) -> float:
        """The highest resident memory (VmHWM) of the worker's pool child: where the tasks ran."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        peaks = []
        for pid in children or [str(self.process.pid)]:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)


@contextlib.contextmanager
def celery_worker(env: dict[str, str], queues: str, timeout: float = 60) -> Iterator[BenchWorker]:
    """Start `celery -A portal worker -Q queues` with `env` (DATABASE_URL, CELERY_BROKER_URL, PORTAL_DATA_DIR
    as the benchmark's own), wait until it is ready, and stop it (its process group, by PID) afterwards."""
    root = Path(__file__).resolve().parent.parent
    log_path = Path(tempfile.mkstemp(prefix="portal-bench-worker-", suffix=".log")[1])
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            worker_command(queues=queues, concurrency=1, name=f"bench-{os.getpid()}-{time.monotonic_ns()}@%h"),
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = BenchWorker(process, log_path)
    try:
        deadline = time.monotonic() + timeout
        while " ready." not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the Celery worker did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.1)
        yield worker
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log_path.unlink(missing_ok=True)


def wait_for(done, what: str, timeout: float = 1800, every: float = 0.01) -> float:
    """Poll `done()` until true; return the seconds it took (the bench times a job on a worker by it)."""
    started = time.perf_counter()
    while not done():
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"{what}: not done after {timeout:.0f} s")
        time.sleep(every)
    return time.perf_counter() - started
