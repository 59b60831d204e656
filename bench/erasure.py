"""Benchmark: erasing a customer with 100,000 messages.

Prints the erasure job's wall time beside a floor measured in the same run:
raw SQL DELETE statements removing the same kinds of rows for a second
customer with an identical history.

    .venv/bin/python bench/erasure.py [--messages 100000]

Target: at most 2x the floor.
"""

import argparse
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
    args = parser.parse_args()

    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="portal-bench-"))
    from export import seed, setup_django  # bench/export.py: the same realistic history

    setup_django(os.environ["PORTAL_DATA_DIR"])
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import User
    from interactions.models import AIInference, Conversation, Message
    from privacy import services
    from privacy.tasks import run_erasure

    call_command("migrate", verbosity=0)
    run_erasure.delay = lambda *a: None  # measured here, not on a worker
    # Warm the code paths on a tiny customer first, as a long-running worker has.
    seed(10, "warm@example.com")
    warm = services.erasure_request_create(user=User.objects.get(email="warm@example.com"), skip_grace=True)
    services.erasure_execute(request=services.erasure_claim(request_id=warm.pk, task_id="warm"))

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

        job_user = User.objects.get(email=f"job{run}@example.com")
        request = services.erasure_request_create(user=job_user, skip_grace=True)
        started = time.perf_counter()
        claimed = services.erasure_claim(request_id=request.pk, task_id=f"bench-{run}")
        services.erasure_execute(request=claimed)
        jobs.append(time.perf_counter() - started)
        assert not Message.objects.filter(conversation__customer=job_user).exists()
    job, floor = statistics.median(jobs), statistics.median(floors)

    print(f"Erasure ({connection.vendor}), customer with {args.messages:,} messages, median of {args.repeat} runs")
    print(f"  job      {job:6.2f} s   (every registry source, one step each, audited, receipt queued)")
    print(f"  floor    {floor:6.2f} s   (raw SQL DELETE of the same messages, conversations and inferences)")
    print(f"  ratio    {job / floor:.2f}x the floor (target: at most 2x)")


if __name__ == "__main__":
    main()
