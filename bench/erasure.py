"""Benchmark: erasing a customer with 100,000 messages.

Prints the erasure job's wall time beside a floor measured in the same run:
raw SQL DELETE statements removing the same kinds of rows for a second
customer with an identical history.

    .venv/bin/python bench/erasure.py [--messages 100000] [--repeat 3]
        [--database sqlite|postgres] [--broker memory|redis]

`--database postgres` runs on a private PostgreSQL (bench/private_postgres.py),
stopped afterwards; the floor's SQL is plain SQL both engines run alike.
`--broker memory` (the default) runs the job in this process, by the same
service calls the task makes, with no broker; `--broker redis` starts a private
Redis and a real Celery worker on the `erasure` queue (bench/private_redis.py),
queues each erasure as the portal does, and times it from the moment it is
queued until its row says completed.

Target: at most 2x the floor. The last line, `RESULT {...}`, is for bench/all.py.
"""

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="pairs of customers; the medians are printed")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--broker", choices=["memory", "redis"], default="memory")
    args = parser.parse_args()
    from private_postgres import run_on_database

    run_on_database(args.database, lambda database_url: bench(args, database_url))


def bench(args: argparse.Namespace, database_url: str) -> None:
    from private_redis import private_redis

    os.environ["PORTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="portal-bench-")
    if database_url:
        os.environ["DATABASE_URL"] = database_url  # the worker inherits it
    with contextlib.ExitStack() as services:
        if args.broker == "redis":
            os.environ["CELERY_BROKER_URL"] = services.enter_context(private_redis())
        job, floor = measure(args, services)
    how = "queued on Redis, run by a Celery worker" if args.broker == "redis" else "in-process, no broker"
    print(f"Erasure ({args.database}, {how}), customer with {args.messages:,} messages, median of {args.repeat} runs")
    print(f"  job      {job:6.2f} s   (every registry source, one step each, audited, receipt queued)")
    print(f"  floor    {floor:6.2f} s   (raw SQL DELETE of the same messages, conversations and inferences)")
    print(f"  ratio    {job / floor:.2f}x the floor (target: at most 2x)")
    from results import result

    result(
        "erasure",
        f"time, {args.messages:,} messages",
        engine=f"{args.database}+{args.broker}",
        measured=job,
        floor=floor,
        at_most=2,
    )


def measure(args: argparse.Namespace, services_stack: contextlib.ExitStack) -> tuple[float, float]:
    from export import seed, setup_django  # bench/export.py: the same realistic history

    setup_django(os.environ["PORTAL_DATA_DIR"])
    from django.core.management import call_command
    from django.db import connection, transaction
    from private_redis import celery_worker, wait_for

    from accounts.models import User
    from interactions.models import AIInference, Conversation, Message
    from privacy import services
    from privacy.models import PrivacyRequest
    from privacy.tasks import run_erasure

    call_command("migrate", verbosity=0)
    finished = [PrivacyRequest.Status.COMPLETED, PrivacyRequest.Status.FAILED]
    if args.broker == "redis":
        worker = services_stack.enter_context(celery_worker(dict(os.environ), "erasure"))

        def erase(user: User, run: str) -> float:
            request = services.erasure_request_create(user=user, skip_grace=True)  # published on commit
            seconds = wait_for(
                lambda: PrivacyRequest.objects.filter(pk=request.pk, status__in=finished).exists(), f"erasure {run}"
            )
            status = PrivacyRequest.objects.get(pk=request.pk).status
            if status != PrivacyRequest.Status.COMPLETED:
                raise SystemExit(f"erasure {run} ended {status}:\n{worker.log_path.read_text()}")
            return seconds
    else:
        run_erasure.delay = lambda *a: None  # measured here, not on a worker

        def erase(user: User, run: str) -> float:
            request = services.erasure_request_create(user=user, skip_grace=True)
            started = time.perf_counter()
            claimed = services.erasure_claim(request_id=request.pk, task_id=f"bench-{run}")
            services.erasure_execute(request=claimed)
            return time.perf_counter() - started

    # Warm the code paths on a tiny customer first, as a long-running worker has.
    seed(10, "warm@example.com")
    erase(User.objects.get(email="warm@example.com"), "warm")

    tables = {model: model._meta.db_table for model in (Message, Conversation, AIInference)}
    floors, jobs = [], []
    for run in range(args.repeat):
        seed(args.messages, f"job{run}@example.com")
        seed(args.messages, f"floor{run}@example.com")
        floor_user = User.objects.get(email=f"floor{run}@example.com")
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM "{tables[Message]}" WHERE conversation_id IN '
                f'(SELECT id FROM "{tables[Conversation]}" WHERE customer_id = %s)',
                [floor_user.pk],
            )
            cursor.execute(f'DELETE FROM "{tables[AIInference]}" WHERE customer_id = %s', [floor_user.pk])
            cursor.execute(f'DELETE FROM "{tables[Conversation]}" WHERE customer_id = %s', [floor_user.pk])
            cursor.execute(
                f'UPDATE "{User._meta.db_table}" SET email = %s, full_name = %s, is_active = %s WHERE id = %s',
                [f"erased-{floor_user.pk}@erased.invalid", "", False, floor_user.pk],
            )
        floors.append(time.perf_counter() - started)
        assert not Message.objects.filter(conversation__customer=floor_user).exists()

        job_user = User.objects.get(email=f"job{run}@example.com")
        jobs.append(erase(job_user, str(run)))
        assert not Message.objects.filter(conversation__customer=job_user).exists()
    return statistics.median(jobs), statistics.median(floors)


if __name__ == "__main__":
    main()
