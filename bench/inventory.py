"""Benchmark: the "My data" page for a customer with 10,000 messages.

Prints the page's render time and query count beside a floor measured in the
same run: the same rows fetched by raw SQL (the very statements the page ran,
replayed through a plain cursor, with no ORM, no formatting, no template).

    .venv/bin/python bench/inventory.py [--messages 10000] [--repeat 15] [--database sqlite|postgres]

Runs on a throw-away SQLite database by default; `--database postgres` starts a
private PostgreSQL (bench/private_postgres.py) and stops it after. On
PostgreSQL the replayed statements are the ones psycopg sent, parameters bound.

Target (the other pages' own): each page within 2x its floor. The last lines,
`RESULT {...}`, are for bench/all.py. No worker is involved: no --broker.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("PORTAL_DATA_DIR", tempfile.mkdtemp(prefix="portal-bench-"))
os.environ.setdefault("CACHE_URL", "locmem://")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def build_history(messages: int):
    from history import seed_history  # bench/history.py

    return seed_history(messages=messages, email=f"bench-{time.time_ns()}@example.com")


def measure(client, path: str, repeat: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm caches and connections
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    statements = [q["sql"] for q in captured.captured_queries]
    return statistics.median(times), statements


def raw_floor(statements: list[str], repeat: int) -> float:
    """The same statements, run through a bare cursor, rows fetched."""
    from django.db import connection

    data_statements = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in data_statements:
                cursor.execute(sql)
                cursor.fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    from private_postgres import run_on_database

    run_on_database(args.database, lambda database_url: bench(args, database_url))


def bench(args: argparse.Namespace, database_url: str) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from results import result

    setup_test_environment()  # the test client's request/response plumbing
    call_command("migrate", verbosity=0)
    customer = build_history(args.messages)
    client = Client()
    client.force_login(customer)

    print(f"My data, customer with {args.messages:,} messages (median of {args.repeat}, {args.database})")
    print(f"{'page':<34}{'render':>10}{'queries':>9}{'floor (raw SQL)':>17}{'ratio':>8}")
    rows = []
    for label, path in [
        ("/my-data/ (overview)", "/my-data/"),
        ("/my-data/interactions.message/", "/my-data/interactions.message/?page=3"),
    ]:
        seconds, statements = measure(client, path, args.repeat)
        floor = raw_floor(statements, args.repeat)
        print(f"{label:<34}{seconds * 1000:>8.1f}ms{len(statements):>9}{floor * 1000:>15.1f}ms{seconds / floor:>7.1f}x")
        rows.append((label.split()[0], seconds, floor))
    for page, seconds, floor in rows:
        result(
            "inventory",
            f"{page}, {args.messages:,} messages",
            engine=args.database,
            measured=seconds,
            floor=floor,
            at_most=2,
        )


if __name__ == "__main__":
    main()
