"""Real Celery worker processes, for the integration and browser tests.

They need the PostgreSQL and Redis that `make test` (tests/with_services.sh)
starts; without them the tests fail with a message saying so — they are never
skipped, because a skipped integration test hides a missing service.
"""

import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from portal.celery import app as celery_app
from portal.worker_command import worker_command

ROOT = Path(__file__).resolve().parents[1]
ALL_QUEUES = "default,webhooks,exports,erasure,fairness"


def require_services() -> str:
    redis_url = os.environ.get("TEST_REDIS_URL")
    engine = settings.DATABASES["default"]["ENGINE"]
    if not redis_url or not engine.endswith("postgresql"):
        pytest.fail("integration tests need PostgreSQL and Redis: run them with `make test`")
    return redis_url


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_path: Path
    mail_dir: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def emails(self) -> list[Path]:
        return sorted(self.mail_dir.glob("*.eml"))

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process.poll() is None:
            # The worker's pool children share its process group (it was
            # started in a session of its own): signal exactly that group.
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_worker(
    *,
    env: dict[str, str],
    folder: Path,
    queues: str = "default",
    timeout: float = 60,
    concurrency: int = 1,
    wait: bool = True,
) -> WorkerProcess:
    """A worker process; `wait=False` returns at once (start several, then `worker_ready` each)."""
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / f"worker-{uuid.uuid4().hex[:6]}.log"
    mail_dir = Path(env["EMAIL_FILE_PATH"])
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            worker_command(queues=queues, concurrency=concurrency, name=f"test-{uuid.uuid4().hex[:6]}@%h"),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = WorkerProcess(process, log_path, mail_dir)
    return worker_ready(worker, timeout=timeout) if wait else worker


def worker_ready(worker: WorkerProcess, *, timeout: float = 60) -> WorkerProcess:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if " ready." in worker.log():
            return worker
        if worker.process.poll() is not None:
            break
        time.sleep(0.2)
    worker.stop(signal.SIGKILL)
    raise AssertionError(f"the Celery worker did not start:\n{worker.log()}")


def worker_database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def exports_dir() -> str:
    storage = settings.STORAGES["exports"]  # the file-system storage, in tests
    location: str = storage["OPTIONS"]["location"]
    return location


def archives_of(request_id: int) -> list[Path]:
    return sorted(Path(exports_dir()).rglob(f"request-{request_id}*.zip"))


def worker_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": require_services(),
        "PORTAL_DATA_DIR": str(tmp_path / "worker-data"),
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        # The test process's own archive folder: shared, like a bucket in
        # production, so the web side can serve what a worker built.
        "EXPORTS_DIR": exports_dir(),
        "WEBHOOK_RETRY_BASE_SECONDS": "1",
        **extra,
    }


@pytest.fixture
def real_worker(transactional_db, tmp_path):
    """A worker on the test database and Redis, serving every queue; tasks are no longer eager."""
    worker = start_worker(env=worker_env(tmp_path), folder=tmp_path, queues=ALL_QUEUES)
    celery_app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager = True
        worker.stop()


def wait_for(condition, *, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
