"""Benchmark: a fairness audit over 1,000,000 decisions.

Prints the audit's wall time and peak memory beside a floor measured in the
same run: one raw SQL GROUP BY producing the same counts (decisions per
favourable, unfavourable and neutral outcome, different customers, reviewed
and changed decisions, per AI system, decision kind and every attribute's
value), fetched and nothing more. The audit does that counting through the
ORM, then adds up each unit's groups, computes the statistics with scipy and
stores the results.

    .venv/bin/python bench/fairness_audit.py [--decisions 1000000] [--small 100000]
        [--database sqlite|postgres] [--broker memory|redis]

With --database postgres it starts a private PostgreSQL (bench/private_postgres.py)
and stops it after. `--broker memory` (the default) runs the audit in a fresh
process by the same service calls the task makes, with no broker; `--broker redis`
starts a private Redis and, per measurement, a fresh real Celery worker on the
`fairness` queue (bench/private_redis.py), asks for the audit as staff do, and
times it from the moment it is queued until its row says completed. Peak memory
is that run's alone: ru_maxrss of the fresh process, or the high-water mark
(VmHWM) of the worker's pool child; times are the median of --repeat runs.
Targets: time at most 2x the floor; peak memory at 1,000,000 decisions at most
50 MB above the peak at 100,000. The last lines, `RESULT {...}`, are for bench/all.py.
"""

import argparse
import contextlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DECISIONS_PER_CUSTOMER = 20
LANGUAGES = ["en", "en", "en", "de", "de", "es", "fr"]
REGIONS = ["north", "south", "east", "west"]
AGE_BANDS = ["under_25", "25_34", "35_44", "45_54", "55_64", "65_plus"]
GENDERS = ["woman", "man", "woman", "man", "non_binary"]
KINDS = [
    ("refund_request", "Refund request"),
    ("request_priority", "Priority of your request"),
    ("offer_eligibility", "Loyalty offer"),
]


def setup_django(data_dir: str, database_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["PORTAL_DATA_DIR"] = data_dir
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("CACHE_URL", "locmem://")
    os.environ.setdefault("LOG_LEVEL", "warning")
    import django

    django.setup()


def seed(decisions: int) -> None:
    """Customers with attributes (some recorded, some volunteered) and their decisions, all in the window."""
    from django.db import connection, transaction

    from accounts.models import User
    from fairness.models import RecordedAttribute, VolunteeredAttribute
    from interactions.models import AIDecision
    from privacy.models import AIPurpose, AISystem

    rng = random.Random(decisions)
    systems = [
        AISystem.objects.create(slug=f"system-{n}", name=f"System {n}", provider="x", description="x", contact="x").pk
        for n in range(3)
    ]
    purpose = AIPurpose.objects.get(slug="automated-decisions").pk
    customers = decisions // DECISIONS_PER_CUSTOMER
    User.objects.bulk_create(
        (User(email=f"c{n}@bench.invalid", password="!") for n in range(customers)), batch_size=10_000
    )
    ids = list(User.objects.filter(email__endswith="@bench.invalid").values_list("pk", flat=True))
    recorded, volunteered = [], []
    for pk in ids:
        recorded.append(RecordedAttribute(customer_id=pk, attribute="language", value=rng.choice(LANGUAGES)))
        if rng.random() < 0.9:
            recorded.append(RecordedAttribute(customer_id=pk, attribute="region", value=rng.choice(REGIONS)))
        if rng.random() < 0.6:
            recorded.append(RecordedAttribute(customer_id=pk, attribute="age_band", value=rng.choice(AGE_BANDS)))
        if rng.random() < 0.3:
            volunteered += [
                VolunteeredAttribute(customer_id=pk, attribute="age_band", value=rng.choice(AGE_BANDS)),
                VolunteeredAttribute(customer_id=pk, attribute="gender", value=rng.choice(GENDERS)),
                VolunteeredAttribute(customer_id=pk, attribute="disability", value=rng.choice(["yes", "no", "no"])),
            ]
    RecordedAttribute.objects.bulk_create(recorded, batch_size=10_000)
    VolunteeredAttribute.objects.bulk_create(volunteered, batch_size=10_000)

    now = datetime.now(UTC)
    table = AIDecision._meta.db_table
    columns = [
        "customer_id",
        "ai_system_id",
        "purpose_id",
        "kind",
        "kind_label",
        "outcome",
        "outcome_label",
        "model_version",
        "decided_at",
        "human_involved",
        "reasons",
        "review_result",
        "final_outcome",
        "final_outcome_label",
        "external_id",
        "created_at",
    ]

    def rows():
        for index in range(decisions):
            customer = ids[index % len(ids)]
            system = systems[index % 3]
            kind, label = KINDS[index % 3]
            roll = rng.random()
            outcome = "neutral" if roll < 0.05 else "favourable" if roll < 0.80 else "unfavourable"
            review = rng.choice(["upheld", "changed"]) if outcome == "unfavourable" and rng.random() < 0.1 else ""
            decided = now - timedelta(days=rng.uniform(0.01, 89))
            yield (
                customer,
                system,
                purpose,
                kind,
                label,
                outcome,
                outcome,
                "1",
                decided,
                False,
                '[{"text": "A reason.", "weight": null}]',
                review,
                "",
                "",
                "",
                now,
            )

    placeholders = ", ".join(["%s"] * len(columns))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            batch = []
            for row in rows():
                batch.append(row)
                if len(batch) == 20_000:
                    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def floor_sql() -> str:
    """The same counts as the audit's counting, written by hand: one GROUP BY, a join per attribute source."""
    from fairness.models import RecordedAttribute, VolunteeredAttribute
    from interactions.models import AIDecision

    decision, recorded, volunteered = (m._meta.db_table for m in (AIDecision, RecordedAttribute, VolunteeredAttribute))

    def join(alias, table, attribute):
        return f"LEFT JOIN {table} {alias} ON {alias}.customer_id = d.customer_id AND {alias}.attribute = '{attribute}'"

    return f"""
        SELECT d.ai_system_id, d.kind,
               COALESCE(rl.value, ''), COALESCE(rr.value, ''), COALESCE(va.value, ra.value, ''),
               COALESCE(vg.value, ''), COALESCE(vd.value, ''),
               SUM(CASE WHEN d.outcome = 'favourable' THEN 1 ELSE 0 END),
               SUM(CASE WHEN d.outcome = 'unfavourable' THEN 1 ELSE 0 END),
               SUM(CASE WHEN d.outcome = 'neutral' THEN 1 ELSE 0 END),
               COUNT(DISTINCT CASE WHEN d.outcome <> 'neutral' THEN d.customer_id END),
               SUM(CASE WHEN d.outcome <> 'neutral' AND d.review_result <> '' THEN 1 ELSE 0 END),
               SUM(CASE WHEN d.outcome <> 'neutral' AND d.review_result = 'changed' THEN 1 ELSE 0 END),
               MAX(d.kind_label)
        FROM {decision} d
        {join("rl", recorded, "language")} {join("rr", recorded, "region")} {join("ra", recorded, "age_band")}
        {join("va", volunteered, "age_band")} {join("vg", volunteered, "gender")} {join("vd", volunteered, "disability")}
        WHERE d.decided_at > %s AND d.decided_at <= %s
        GROUP BY 1, 2, 3, 4, 5, 6, 7
    """


def window():
    from django.utils import timezone as dj_timezone

    end = dj_timezone.now()
    return end - timedelta(days=90), end


def measure(mode: str) -> dict:
    from django.db import connection

    from fairness import services
    from fairness.counting import count_cells

    start, end = window()
    if mode == "floor":
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(floor_sql(), [start, end])
            cells = cursor.fetchall()
        return {
            "seconds": time.perf_counter() - began,
            "cells": len(cells),
            "decisions": sum(row[7] + row[8] + row[9] for row in cells),
        }
    if mode == "check":
        with connection.cursor() as cursor:
            cursor.execute(floor_sql(), [start, end])
            floor = sorted(
                (row[0], row[1], tuple(row[2:7]), tuple(int(x) for x in row[7:13])) for row in cursor.fetchall()
            )
        ours = sorted(
            (c.ai_system_id, c.kind, c.values, c.counts.as_tuple())
            for c in count_cells(window_start=start, window_end=end)
        )
        return {"same_counts": floor == ours, "cells": len(ours)}
    if mode == "worker":
        return on_a_worker()
    audit = services.fairness_audit_request(trigger="command", enqueue=False)
    began = time.perf_counter()
    claimed = services.fairness_audit_claim(audit_id=audit.pk, task_id=f"bench-{audit.pk}")
    done = services.fairness_audit_execute(audit=claimed)
    return {
        "seconds": time.perf_counter() - began,
        "decisions": done.decisions_counted,
        "units": done.units.count(),
        "verdict": done.verdict,
    }


def on_a_worker() -> dict:
    """The audit as production runs it: queued on Redis after commit, run by a fresh real worker."""
    from private_redis import celery_worker, wait_for

    from fairness import services
    from fairness.models import FairnessAudit

    finished = [FairnessAudit.Status.COMPLETED, FairnessAudit.Status.FAILED]
    with celery_worker(dict(os.environ), "fairness") as worker:
        # An audit of an empty window first: a worker is a long-running process, its code loaded and warm.
        for window_end in (datetime(2000, 1, 1, tzinfo=UTC), None):
            audit = services.fairness_audit_request(trigger="command", window_end=window_end)
            seconds = wait_for(
                lambda pk=audit.pk: FairnessAudit.objects.filter(pk=pk, status__in=finished).exists(), "audit"
            )
        done = FairnessAudit.objects.get(pk=audit.pk)
        if done.status != FairnessAudit.Status.COMPLETED:
            raise SystemExit(f"the audit ended {done.status}:\n{worker.log_path.read_text()}")
        return {
            "seconds": seconds,
            "decisions": done.decisions_counted,
            "units": done.units.count(),
            "verdict": done.verdict,
            "worker_peak_mb": worker.peak_mb(),
        }


def child(mode: str, data_dir: str, database_url: str) -> None:
    setup_django(data_dir, database_url or None)
    # A worker is a long-running process: its code is loaded and warm before the job.
    from fairness.counting import count_cells
    from fairness.statistics import Counts, Thresholds, unit_figures

    unit_figures({("a",): Counts(40, 10, 0, 20), ("b",): Counts(30, 20, 0, 20)}, Thresholds())
    count_cells(window_start=datetime(2000, 1, 1, tzinfo=UTC), window_end=datetime(2000, 1, 2, tzinfo=UTC))
    result = measure(mode)
    result["peak_mb"] = result.pop("worker_peak_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


def run_child(mode: str, data_dir: str, database_url: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, data_dir, database_url or ""],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def seed_child(decisions: int, data_dir: str, database_url: str) -> None:
    setup_django(data_dir, database_url or None)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seed(decisions)


def report(vendor: str, args, big: dict, small: dict) -> None:
    audit, floor = statistics.median(big["audit"]), statistics.median(big["floor"])
    how = "queued on Redis, run by a Celery worker" if args.broker == "redis" else "in-process, no broker"
    print(f"Fairness audit ({vendor}, {how}), {args.decisions:,} decisions in the window, median of {args.repeat} runs")
    print(
        f"  counts   {'identical' if big['check']['same_counts'] else 'DIFFERENT'} to the floor's "
        f"({big['check']['cells']:,} cells of system × kind × every attribute)"
    )
    print(f"  audit    {audit:7.2f} s   ({big['units']} units counted, computed with scipy and stored)")
    print(f"  floor    {floor:7.2f} s   (one raw SQL GROUP BY producing the same counts)")
    print(f"  ratio    {audit / floor:.2f}x the floor (target: at most 2x)")
    growth = big["peak_mb"] - small["peak_mb"]
    print(
        f"  memory   peak {big['peak_mb']:.0f} MB at {args.decisions:,} decisions, {small['peak_mb']:.0f} MB at "
        f"{args.small:,}: {growth:+.0f} MB (target: at most +50 MB)"
    )
    from results import result

    engine, size = f"{vendor}+{args.broker}", f"{args.decisions:,} decisions"
    result("fairness_audit", f"time, {size}", engine=engine, measured=audit, floor=floor, at_most=2)
    result(
        "fairness_audit",
        f"peak memory, {size} vs {args.small:,}",
        engine=engine,
        measured=big["peak_mb"],
        floor=small["peak_mb"],
        unit="MB",
        growth_at_most=50,
    )
    if not big["check"]["same_counts"]:
        result("fairness_audit", "counts identical to the floor's", engine=engine, measured=0, under=0, unit="")


def bench(args, url_for) -> None:
    results = {}
    for size in (args.decisions, args.small):
        data_dir = tempfile.mkdtemp(prefix="portal-bench-fairness-")
        url = url_for(f"bench_{size}")
        subprocess.run([sys.executable, __file__, "--seed", str(size), data_dir, url or ""], check=True, cwd=ROOT)
        run_child("floor", data_dir, url)  # warm the database's cache once, for both
        floors, audits, peaks = [], [], []
        for _ in range(args.repeat if size == args.decisions else 1):
            floor = run_child("floor", data_dir, url)
            audit = run_child("worker" if args.broker == "redis" else "audit", data_dir, url)
            floors.append(floor["seconds"])
            audits.append(audit["seconds"])
            peaks.append(audit["peak_mb"])
        results[size] = {
            "floor": floors,
            "audit": audits,
            "peak_mb": max(peaks),
            "units": audit["units"],
            "check": run_child("check", data_dir, url) if size == args.decisions else None,
        }
    report(args.database, args, results[args.decisions], results[args.small])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--broker", choices=["memory", "redis"], default="memory")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATA_DIR", "DATABASE_URL"), help=argparse.SUPPRESS)
    parser.add_argument("--seed", nargs=3, metavar=("DECISIONS", "DATA_DIR", "DATABASE_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    if args.seed:
        return seed_child(int(args.seed[0]), args.seed[1], args.seed[2])
    from private_postgres import private_postgres
    from private_redis import private_redis

    with contextlib.ExitStack() as services:
        if args.broker == "redis":
            os.environ["CELERY_BROKER_URL"] = services.enter_context(private_redis())  # the children inherit it
        if args.database == "sqlite":
            return bench(args, lambda name: "")
        server = services.enter_context(private_postgres())
        bench(args, server.create_database)


if __name__ == "__main__":
    main()
