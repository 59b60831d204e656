"""Benchmark: the permission API's requests per second under concurrent load.

Starts gunicorn on a free loopback port (a throw-away SQLite database and the
default file cache, shared by the workers, unless DATABASE_URL / CACHE_URL
are set), then drives it with a multi-process keep-alive load
client, measuring in the same run:

- the measured figure: GET /api/v1/customers/<id>/ai-permissions/
- the floor: GET /api/v1/ping/, a trivial view behind the same token
  authentication on the same server.

    .venv/bin/python bench/permissions.py [--seconds 8] [--connections 8]
        [--database sqlite|postgres] [--cache file|redis]

`--database postgres` runs on a private PostgreSQL and `--cache redis` on a
private Redis, both started here and stopped by their PIDs (as production runs).

Target: the permission API serves at least 70% of the floor's requests per second.
The last lines, `RESULT {...}`, are for bench/all.py.
"""

import argparse
import contextlib
import http.client
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from private_postgres import private_postgres  # noqa: E402
from private_redis import private_redis  # noqa: E402
from results import result  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict, others_file: str) -> tuple[str, str]:
    """Migrate, and create a customer with some choices and an API client; return (token, customer_id)."""
    script = (
        "from accounts.models import User\n"
        "from privacy import services\n"
        "from privacy.models import AIPurpose, ConsentMethod\n"
        "u = User.objects.create_user(email='bench@example.com', password='x-bench-password-1')\n"
        "services.preference_set(user=u, purpose=AIPurpose.objects.get(slug='ai-training'), allowed=True, method=ConsentMethod.PORTAL)\n"
        "services.preference_set(user=u, purpose=AIPurpose.objects.get(slug='ai-chat-assistant'), allowed=False, method=ConsentMethod.PORTAL)\n"
        "_, token = services.api_client_create(name='bench', scopes=['permissions:read'])\n"
        "import uuid\n"
        "others = User.objects.bulk_create(User(email=f'c{i}@example.com', public_id=uuid.uuid4()) for i in range(12000))\n"
        "open(OTHERS, 'w').write('\\n'.join(str(o.public_id) for o in others))\n"
        "print(token, u.public_id)\n"
    )
    script = script.replace("OTHERS", repr(others_file))
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [python, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return out[-2], out[-1]


def _client_process(
    port: int, paths: list[str], token: str, threads: int, seconds: float, results, offset: int
) -> None:
    import threading

    counts = []

    def run(start: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        done, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            path = paths[(start + done * threads * 2) % len(paths)]
            connection.request("GET", path, headers={"Authorization": f"Bearer {token}", "Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"unexpected status {response.status} for {path}")
            done += 1
        counts.append(done)

    workers = [threading.Thread(target=run, args=(offset + i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(sum(counts))


def requests_per_second(port: int, paths, token: str, connections: int, seconds: float) -> float:
    """Requests per second; `paths` is one path, or a list walked so no path is asked twice."""
    paths = [paths] if isinstance(paths, str) else paths
    processes_count = 2
    per_process = max(1, connections // processes_count)
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(
            target=_client_process, args=(port, paths, token, per_process, seconds, results, n * per_process)
        )
        for n in range(processes_count)
    ]
    for process in processes:
        process.start()
    total = sum(results.get(timeout=seconds + 60) for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--cache", choices=["file", "redis"], default="file")
    args = parser.parse_args()
    with contextlib.ExitStack() as services:
        extra = {}
        if args.database == "postgres":
            server = services.enter_context(private_postgres())
            extra["DATABASE_URL"] = server.create_database("bench")
        if args.cache == "redis":
            extra["CACHE_URL"] = services.enter_context(private_redis())
        run(args, extra)


def run(args: argparse.Namespace, extra: dict[str, str]) -> None:

    data_dir = tempfile.mkdtemp(prefix="portal-bench-")
    env = {
        **os.environ,
        "PORTAL_DATA_DIR": data_dir,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "warning",
        **extra,
    }
    others_file = os.path.join(data_dir, "customers.txt")
    token, customer_id = prepare(env, others_file)
    others = Path(others_file).read_text().split()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        permissions_path = f"/api/v1/customers/{customer_id}/ai-permissions/"
        floor_path = "/api/v1/ping/"
        for path in (floor_path, permissions_path):  # warm every worker
            requests_per_second(port, path, token, args.connections, 1)
        # Alternate floor, warm and cold in rounds, so drift on a busy machine hits all three alike.
        # Cold: every request names a customer not asked about before (their rows not yet in the
        # database's memory, as most are in real traffic); each round walks customers of its own.
        rounds = 3
        floor_runs, measured_runs, cold_runs = [], [], []
        for round_number in range(rounds):
            cold_paths = [f"/api/v1/customers/{other}/ai-permissions/" for other in others[round_number::rounds]]
            floor_runs.append(requests_per_second(port, floor_path, token, args.connections, args.seconds / rounds))
            measured_runs.append(
                requests_per_second(port, permissions_path, token, args.connections, args.seconds / rounds)
            )
            cold_runs.append(requests_per_second(port, cold_paths, token, args.connections, args.seconds / rounds))
        floor, measured, cold = (sum(runs) / rounds for runs in (floor_runs, measured_runs, cold_runs))
        print(
            f"Permission API under load ({args.database}, {args.cache} cache): gunicorn {args.workers} workers "
            f"x 4 threads, {args.connections} keep-alive connections, {args.seconds:.0f}s each"
        )
        print(f"  floor    GET /api/v1/ping/                          {floor:8.0f} req/s")
        print(f"  measured GET /api/v1/customers/<id>/ai-permissions/ {measured:8.0f} req/s")
        print(f"  ratio    {measured / floor:.0%} of the floor (target: at least 70%)")
        print(
            f"  cold     every request a customer not asked about before     {cold:8.0f} req/s "
            f"= {cold / floor:.0%} of the floor (target: at least 70%)"
        )
        engine = f"{args.database}+{args.cache}"
        result("permissions", "warm req/s", engine=engine, measured=measured, floor=floor, unit="req/s", at_least=0.7)
        result("permissions", "cold req/s", engine=engine, measured=cold, floor=floor, unit="req/s", at_least=0.7)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
