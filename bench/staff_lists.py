"""Benchmark: the staff's request queue and audit trail with 100,000 privacy requests.

Seeds `--requests` privacy requests (of as many customers) and three audit
events each, then opens, as a privacy officer, the request queue (its default
order: waiting for staff first, nearest deadline first) and the audit trail
(newest first), each beside its floor: the same SQL statements the page runs,
sent by a raw cursor and fetched.

    .venv/bin/python bench/staff_lists.py [--requests 100000] [--database sqlite|postgres]

Target: each page under 300 ms on PostgreSQL (its query count is fixed by
tests: tests/privacy/test_request_desk.py, tests/privacy/test_admin_audit_list.py).
The last lines, `RESULT {...}`, are for bench/all.py.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from dashboard import REPEAT, officer_client, seed_customers, setup, time_floor  # noqa: E402
from results import result  # noqa: E402

PAGES = {
    "request queue": "/admin/privacy/privacyrequest/",
    "audit trail": "/admin/privacy/auditevent/",
}


def seed_requests(total: int) -> None:
    """One request per customer (a mix of kinds, states and deadlines) and three audit events each, in SQL."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from privacy import services
    from privacy.models import AuditEvent, PrivacyRequest
    from privacy.services.requests import subject_reference

    seed_customers(total)
    first = User.objects.filter(email__startswith="bench-").order_by("pk").first()
    template = PrivacyRequest.objects.create(
        kind="export", status="completed", user=first, subject_ref=subject_reference(first.pk), due_at=timezone.now()
    )
    services.audit_record(action="request.completed", actor_id=None, obj=template, details={"kind": "export"})
    event = AuditEvent.objects.order_by("-pk").first()
    request_columns = [
        f.column
        for f in PrivacyRequest._meta.concrete_fields
        if f.column not in ("id", "user_id", "kind", "status", "due_at", "submitted_at")
    ]
    # The chain's own columns (sequence, hash) must stay unique: numbered on from the template.
    event_columns = [
        f.column
        for f in AuditEvent._meta.concrete_fields
        if f.column not in ("id", "object_id", "sequence", "hash", "prev_hash")
    ]
    is_postgres = connection.vendor == "postgresql"
    days = "(u.id %% 60 - 20) * interval '1 day'" if is_postgres else None
    with connection.cursor() as cursor:
        if is_postgres:
            cursor.execute(
                f"INSERT INTO {PrivacyRequest._meta.db_table} ({', '.join(request_columns)}, user_id, kind, status, due_at, submitted_at) "
                f"SELECT {', '.join('t.' + c for c in request_columns)}, u.id, "
                "CASE WHEN u.id %% 3 = 0 THEN 'erasure' ELSE 'export' END, "
                "CASE WHEN u.id %% 50 = 0 THEN 'awaiting_approval' WHEN u.id %% 17 = 0 THEN 'denied' ELSE 'completed' END, "
                f"now() + {days}, now() - {days} - interval '30 days' "
                f"FROM {PrivacyRequest._meta.db_table} t, {User._meta.db_table} u "
                "WHERE t.id = %s AND u.email LIKE 'bench-%%' AND u.id <> %s",
                [template.pk, first.pk],
            )
        else:
            cursor.execute(
                f"INSERT INTO {PrivacyRequest._meta.db_table} ({', '.join(request_columns)}, user_id, kind, status, due_at, submitted_at) "
                f"SELECT {', '.join('t.' + c for c in request_columns)}, u.id, "
                "CASE WHEN u.id %% 3 = 0 THEN 'erasure' ELSE 'export' END, "
                "CASE WHEN u.id %% 50 = 0 THEN 'awaiting_approval' WHEN u.id %% 17 = 0 THEN 'denied' ELSE 'completed' END, "
                "datetime('now', (u.id %% 60 - 20) || ' days'), datetime('now', (-(u.id %% 60) - 10) || ' days') "
                f"FROM {PrivacyRequest._meta.db_table} t, {User._meta.db_table} u "
                "WHERE t.id = %s AND u.email LIKE 'bench-%%' AND u.id <> %s",
                [template.pk, first.pk],
            )
        # Three events per request (the trail's list reads them; it does not verify the chain).
        for copy in range(3):
            cursor.execute(
                f"INSERT INTO {AuditEvent._meta.db_table} "
                f"({', '.join(event_columns)}, object_id, sequence, hash, prev_hash) "
                f"SELECT {', '.join('e.' + c for c in event_columns)}, CAST(r.id AS TEXT), "
                f"e.sequence + r.id * 3 + {copy + 1}, 'bench-{copy}-' || r.id, e.hash "
                f"FROM {AuditEvent._meta.db_table} e, {PrivacyRequest._meta.db_table} r WHERE e.id = %s",
                [event.pk],
            )
        cursor.execute("ANALYZE")


def measure(client, path: str) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    queries = len(captured.captured_queries)  # read now: the next request empties the log
    statements = [(q["sql"], ()) for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        assert client.get(path).status_code == 200
        times.append(time.perf_counter() - start)
    return statistics.median(times), time_floor(statements), queries


def bench(args: argparse.Namespace, database_url: str) -> None:
    setup(database_url)
    seed_requests(args.requests)
    from privacy.models import AuditEvent, PrivacyRequest

    print(
        f"Staff lists ({args.database}): {PrivacyRequest.objects.count():,} requests, "
        f"{AuditEvent.objects.count():,} audit events; median of {REPEAT} loads as a privacy officer"
    )
    for name, path in PAGES.items():
        page, floor, queries = measure(officer_client(), path)
        print(
            f"  {name:<14} page {page * 1000:7.1f} ms (target: under 300 ms)  floor {floor * 1000:7.1f} ms"
            f"  {queries} queries"
        )
        result(
            "staff_lists",
            f"{name}, {args.requests:,} requests",
            engine=args.database,
            measured=page * 1000,
            floor=floor * 1000,
            unit="ms",
            under=300,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    from private_postgres import run_on_database

    run_on_database(args.database, lambda database_url: bench(args, database_url))


if __name__ == "__main__":
    main()
