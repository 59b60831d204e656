"""Benchmark: the staff's compliance dashboard at a million customers.

Seeds customers with their AI choices (about a third chose, a few of them
more than once, with the ledger's events), privacy requests and human
reviews, then renders the dashboard page (/admin/privacy/privacyrequest/dashboard/,
as a privacy officer) beside its floor, in the same run:

- measured: the page, through Django's test client: the ORM's queries, the
  charts and the template;
- floor: the same SQL statements the page runs, sent by a raw cursor and
  fetched, with nothing built from them.

It does so at `--small` customers and again at `--customers`, and prints the
time of each and the peak Python memory of the page (tracemalloc), which must
not grow with the number of customers.

    .venv/bin/python bench/dashboard.py [--customers 1000000] [--small 100000] [--database sqlite|postgres]

Targets: the page within 2x its floor; peak memory flat from --small to --customers.
The last lines, `RESULT {...}`, are for bench/all.py.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

REPEAT = 5
DASHBOARD = "/admin/privacy/privacyrequest/dashboard/"


def setup(database_url: str) -> None:
    os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="portal-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["STAFF_REQUIRE_MFA"] = "false"
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["LOG_LEVEL"] = "warning"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed_customers(total: int) -> None:
    """Top the customers up to `total`, each third with choices and their ledger events (set-based SQL)."""
    from django.db import connection

    from accounts.models import User
    from privacy.models import AIPreference, AIPurpose, ConsentEvent

    have = User.objects.filter(email__startswith="bench-").count()
    if have >= total:
        return
    # Background customers: no password (as the demo's), so the request history seeds among them.
    template = User.objects.create_user(email=f"bench-template-{have}@example.com", password=None)
    columns = [
        f.column for f in User._meta.concrete_fields if f.column not in ("id", "email", "public_id", "date_joined")
    ]
    purposes = list(AIPurpose.objects.values_list("pk", flat=True))
    is_postgres = connection.vendor == "postgresql"
    uuid_sql = "gen_random_uuid()" if is_postgres else "lower(hex(randomblob(16)))"
    random_days = "random() * 500" if is_postgres else "abs(random() % 500)"
    ago = "now() - ({days}) * interval '1 day'" if is_postgres else "datetime('now', '-' || ({days}) || ' days')"
    with connection.cursor() as cursor:
        copied = ", ".join("t." + c for c in columns)
        insert = f"INSERT INTO {User._meta.db_table} ({', '.join(columns)}, email, public_id, date_joined) "
        if is_postgres:
            cursor.execute(
                insert + f"SELECT {copied}, 'bench-' || g || '@example.com', {uuid_sql}, "
                f"{ago.format(days=random_days)} "
                f"FROM {User._meta.db_table} t, generate_series(%s, %s) g WHERE t.id = %s",
                [have + 1, total, template.pk],
            )
        else:
            cursor.execute(
                "WITH RECURSIVE g(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
                + insert
                + f"SELECT {copied}, 'bench-' || g.n || '@example.com', {uuid_sql}, "
                f"{ago.format(days=random_days)} FROM {User._meta.db_table} t, g WHERE t.id = %s",
                [have + 1, total, template.pk],
            )
        # A third of the new customers chose, for one purpose each (the purpose by id, round robin).
        for index, purpose in enumerate(purposes):
            choice_filter = f"u.id %% 3 = 0 AND (u.id / 3) %% {len(purposes)} = {index} AND u.id > %s"
            cursor.execute(
                f"INSERT INTO {AIPreference._meta.db_table} (user_id, purpose_id, allowed, method, notice_version, changed_at) "
                f"SELECT u.id, %s, (u.id %% 7 <> 0), 'portal', 1, u.date_joined "
                f"FROM {User._meta.db_table} u WHERE u.email LIKE 'bench-%%' AND {choice_filter}",
                [purpose, template.pk],
            )
            cursor.execute(
                f"INSERT INTO {ConsentEvent._meta.db_table} "
                f"(user_id, kind, purpose_id, granted, method, notice_version, language, created_at) "
                f"SELECT u.id, 'purpose', %s, (u.id %% 7 <> 0), 'portal', 1, 'en', u.date_joined "
                f"FROM {User._meta.db_table} u WHERE u.email LIKE 'bench-%%' AND {choice_filter}",
                [purpose, template.pk],
            )
        cursor.execute("ANALYZE")


def seed_the_rest() -> None:
    """Requests, reviews and flags of twelve weeks: the demo's own seeders, as the dashboard's other figures."""
    from privacy.demo import seed_request_history

    seed_request_history()


def officer_client():
    from django.contrib.auth.models import Group
    from django.test import Client

    from accounts.models import User

    officer, created = User.objects.get_or_create(email="bench-officer@staff.example", defaults={"is_staff": True})
    if created:
        officer.groups.add(Group.objects.get(name="Privacy officer"))
    client = Client()
    client.force_login(officer)
    return client


def statements_of_the_page(client) -> list[tuple[str, tuple]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(DASHBOARD).status_code == 200
    # Every read the page makes, and the settings it gives them (SET LOCAL jit = off).
    return [
        (query["sql"], ())
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("SELECT", "SET"))
    ]


def time_page(client) -> tuple[float, float]:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(DASHBOARD)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    tracemalloc.start()
    client.get(DASHBOARD)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def time_floor(statements: list[tuple[str, tuple]]) -> float:
    from django.db import connection, transaction

    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        # One transaction, so a SET LOCAL the page gives a query holds for it here too.
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, _params in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(customers: int) -> dict[str, float]:
    seed_customers(customers)
    client = officer_client()
    statements = statements_of_the_page(client)
    page, peak = time_page(client)
    floor = time_floor(statements)
    return {"customers": customers, "page": page, "floor": floor, "peak_mb": peak, "queries": len(statements)}


def bench(args: argparse.Namespace, database_url: str) -> None:
    setup(database_url)
    seed_customers(args.small)
    seed_the_rest()
    small = measure(args.small)
    large = measure(args.customers)
    print(f"Compliance dashboard ({args.database}), median of {REPEAT} renders as a privacy officer")
    for row in (small, large):
        print(
            f"  {row['customers']:>9,} customers  page {row['page'] * 1000:8.1f} ms  floor {row['floor'] * 1000:8.1f} ms"
            f"  = {row['page'] / row['floor']:.2f}x (target: at most 2x)  peak {row['peak_mb']:6.1f} MB"
            f"  {row['queries']} queries"
        )
    growth = large["peak_mb"] / small["peak_mb"]
    print(
        f"  peak memory from {small['customers']:,} to {large['customers']:,} customers: x{growth:.2f} (target: flat)"
    )
    from results import result

    for row in (small, large):
        figure = f"page, {row['customers']:,} customers"
        result("dashboard", figure, engine=args.database, measured=row["page"], floor=row["floor"], at_most=2)
    # "Flat": within a fifth of the small run's peak (tracemalloc's figure wobbles by a few per cent).
    figure = f"peak memory, {large['customers']:,} vs {small['customers']:,}"
    result(
        "dashboard",
        figure,
        engine=args.database,
        measured=large["peak_mb"],
        floor=small["peak_mb"],
        unit="MB",
        at_most=1.2,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    from private_postgres import run_on_database

    run_on_database(args.database, lambda database_url: bench(args, database_url))


if __name__ == "__main__":
    main()
