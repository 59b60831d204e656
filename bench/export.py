"""Benchmark: building an export for a customer with 100,000 messages.

Prints the job's wall time and the worker's peak memory beside a floor
measured in the same run: raw SQL reading the same rows of every source,
streamed as the job streams them (a server-side cursor on PostgreSQL) and
written as JSON into a ZIP (no ORM, no CSV or HTML report).

    .venv/bin/python bench/export.py [--messages 100000] [--small 10000]
        [--database sqlite|postgres] [--broker memory|redis]

`--database postgres` runs on a private PostgreSQL (bench/private_postgres.py),
stopped afterwards. `--broker memory` (the default) runs the job in a fresh
process of its own, by the same service calls the task makes, with no broker;
`--broker redis` starts a private Redis and a real Celery worker on the
`exports` queue (bench/private_redis.py), queues the export as the portal does,
and times it from the moment it is queued until its row says completed.

Peak memory is that job's alone: ru_maxrss of the fresh process, or the
high-water mark (VmHWM) of the worker's pool child, one worker per size.
Targets: time at most 1.5x the floor; peak memory at 100,000 messages at most
50 MB above the peak at 10,000. The last lines, `RESULT {...}`, are for bench/all.py.
"""

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def setup_django(data_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["PORTAL_DATA_DIR"] = data_dir
    os.environ.setdefault("CACHE_URL", "locmem://")
    os.environ.setdefault("LOG_LEVEL", "warning")
    os.environ.setdefault("EXPORT_MIN_INTERVAL_HOURS", "0")  # the warm-up customer exports in every run
    import django

    django.setup()


def seed(messages: int, email: str) -> None:
    from history import seed_history  # bench/history.py

    seed_history(messages=messages, email=email)


def measure_job(email: str) -> dict:
    """The export job as the worker runs it: claim, build, store, complete."""
    from accounts.models import User
    from privacy import services
    from privacy.tasks import build_export

    user = User.objects.get(email=email)
    build_export.delay = lambda *args: None  # measured here, not on a worker
    request = services.export_request_create(user=user)
    started = time.perf_counter()
    claimed = services.export_claim(request_id=request.pk, task_id="bench")
    archive = services.export_build(request=claimed)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "size": archive.size}


def measure_floor(email: str) -> dict:
    """Raw SQL for the same rows of every source, dumped as JSON into a ZIP."""
    import zipfile

    from django.db import connection

    from accounts.models import User
    from privacy.exporting import SourceReader
    from privacy.registry import registry

    user = User.objects.get(email=email)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "floor.zip"
        with (
            zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
            archive.open("data.json", "w", force_zip64=True) as out,
        ):
            out.write(b'{"sources": [')
            for index, source in enumerate(registry.sources):
                reader = SourceReader(source)
                # The ORM only writes the SQL; rows are fetched and dumped raw.
                sql, params = (
                    source.rows_for(user)
                    .order_by(*source.ordering)
                    .values_list(*reader.lookups)
                    .query.sql_with_params()
                )
                # Streamed, as the job streams (its memory must not grow with the history): a
                # server-side cursor on PostgreSQL, where a plain cursor would hold every row at once.
                with connection.chunked_cursor() as cursor:
                    cursor.execute(sql, params)
                    out.write((("," if index else "") + '{"rows": [').encode())
                    first = True
                    while rows := cursor.fetchmany(2000):
                        for row in rows:
                            out.write(((", " if not first else "") + json.dumps(row, default=str)).encode())
                            first = False
                    out.write(b"]}")
            out.write(b"]}")
        size = target.stat().st_size
    return {"seconds": time.perf_counter() - started, "size": size}


def child(mode: str, email: str, data_dir: str) -> None:
    setup_django(data_dir)
    # A worker is a long-running process: load its code paths on a tiny
    # customer first, so imports are not timed as part of the job.
    (measure_job if mode == "job" else measure_floor)("warm@example.com")
    result = measure_job(email) if mode == "job" else measure_floor(email)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_child(mode: str, email: str, data_dir: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, email, data_dir],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def worker_job(email: str) -> dict:
    """The export as production runs it: queued on Redis after commit, built by a real worker.

    A fresh worker per size, warmed on a tiny customer first, so its peak memory is this job's."""
    from private_redis import celery_worker, wait_for

    from accounts.models import User
    from privacy import services
    from privacy.models import ExportArchive, PrivacyRequest

    finished = [PrivacyRequest.Status.COMPLETED, PrivacyRequest.Status.FAILED, PrivacyRequest.Status.CANCELLED]
    with celery_worker(dict(os.environ), "exports") as worker:
        for who in ("warm@example.com", email):
            request = services.export_request_create(user=User.objects.get(email=who))  # published on commit
            seconds = wait_for(
                lambda pk=request.pk: PrivacyRequest.objects.filter(pk=pk, status__in=finished).exists(),
                f"export of {who}",
            )
            status = PrivacyRequest.objects.get(pk=request.pk).status
            if status != PrivacyRequest.Status.COMPLETED:
                raise SystemExit(f"the export of {who} ended {status}:\n{worker.log_path.read_text()}")
        return {
            "seconds": seconds,
            "size": ExportArchive.objects.get(request_id=request.pk).size,
            "peak_mb": worker.peak_mb(),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--broker", choices=["memory", "redis"], default="memory")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "EMAIL", "DATA_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    from private_postgres import run_on_database

    run_on_database(args.database, lambda database_url: bench(args, database_url))


def bench(args: argparse.Namespace, database_url: str) -> None:
    from private_redis import private_redis

    data_dir = tempfile.mkdtemp(prefix="portal-bench-")
    if database_url:
        os.environ["DATABASE_URL"] = database_url  # the children and the worker inherit it
    with contextlib.ExitStack() as services:
        if args.broker == "redis":
            os.environ["CELERY_BROKER_URL"] = services.enter_context(private_redis())
        setup_django(data_dir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        seed(10, "warm@example.com")
        seed(args.small, "small@example.com")
        seed(args.messages, "big@example.com")

        floor = run_child("floor", "big@example.com", data_dir)
        if args.broker == "redis":
            job, small_job = worker_job("big@example.com"), worker_job("small@example.com")
        else:
            job = run_child("job", "big@example.com", data_dir)
            small_job = run_child("job", "small@example.com", data_dir)
    how = "queued on Redis, built by a Celery worker" if args.broker == "redis" else "in-process, no broker"
    print(f"Export job ({args.database}, {how}), customer with {args.messages:,} messages")
    print(f"  job      {job['seconds']:7.2f} s   archive {job['size'] / 1e6:6.1f} MB   (data.json + CSV + HTML report)")
    print(f"  floor    {floor['seconds']:7.2f} s   archive {floor['size'] / 1e6:6.1f} MB   (raw SQL -> JSON in a ZIP)")
    print(f"  ratio    {job['seconds'] / floor['seconds']:.2f}x the floor (target: at most 1.5x)")
    growth = job["peak_mb"] - small_job["peak_mb"]
    print(
        f"  memory   peak {job['peak_mb']:.0f} MB at {args.messages:,} messages, {small_job['peak_mb']:.0f} MB at "
        f"{args.small:,}: +{growth:.0f} MB (target: at most +50 MB)"
    )
    from results import result

    engine = f"{args.database}+{args.broker}"
    size = f"{args.messages:,} messages"
    result("export", f"time, {size}", engine=engine, measured=job["seconds"], floor=floor["seconds"], at_most=1.5)
    result(
        "export",
        f"peak memory, {size} vs {args.small:,}",
        engine=engine,
        measured=job["peak_mb"],
        floor=small_job["peak_mb"],
        unit="MB",
        growth_at_most=50,
    )


if __name__ == "__main__":
    main()
