"""Benchmark: the customer pages under load (50 signed-in customers at once).

Starts a private PostgreSQL and a private Redis (database, cache and broker),
seeds --users customers (verified e-mail, no MFA; conversations with AI
inferences, AI decisions, AI choices, privacy requests and a human review
each), runs gunicorn as the README's production section does, and drives it
with locust (headless, as a library, in a child process of its own so gevent
patches nothing here). Every simulated customer signs in through allauth's
form (with its CSRF token), then, with a pause between pages, reads the
dashboard and "My data", opens "Your AI choices" and switches one use of AI
(the POST htmx sends, CSRF token and HX-Request header included), and reads
their requests and one of them. Between two pages it asks for the floor.

- measured: each page's requests per second and p50/p95/p99, and errors;
- floor: GET /healthz (a database and a broker round trip), asked by the same
  customers between the pages, so it meets the same load at the same moments.

Signing in is measured while the customers arrive (two a second), before the
measured window, which starts --warmup seconds after the last sign-in; its
time is mostly the password hash, slow on purpose.

    .venv/bin/python bench/load.py [--seconds 60] [--users 50] [--think 5] [--warmup 15] [--workers 3] [--threads 1]

Targets: no errors; each page's p95 at most 5x the floor's p95.

Settings: PORTAL_ENV is left unset (development settings) because production
demands secrets, SMTP and HTTPS, none of which a loopback benchmark has; but
DEBUG is off (no query log, no debug pages), the database, cache and broker are
PostgreSQL and Redis as in production, and TRUST_X_FORWARDED_PROTO is on, as
behind the production proxy: each customer comes from an address of its own
(X-Forwarded-For), so allauth's sign-in limit per address (30 a minute) meets
50 customers, not one address. Only HTML is loaded (no static files), so no
collectstatic is needed (development serves them from the source folders).

Everything started here (gunicorn, locust, PostgreSQL, Redis) is stopped by
its PID on exit, also on Ctrl-C.
"""

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "load-bench-password-2026"
FLOOR = "floor: /healthz"
SIGN_IN = "sign in"
# The pages measured, in the order a customer walks through them.
PAGES = ["dashboard", "my data", "AI choices", "AI use switch (POST)", "requests", "request detail"]
TARGET_RATIO = 5.0
# The floor slower than this many times its idle median: the server was saturated.
SATURATED = 3.0


# --- The simulated customers (run in the locust child) -------------------------


def drive(host: str, users: int, spawn_rate: float, seconds: float, think: float, warmup: float, out: str) -> None:
    """Run the customers against `host` for `seconds` after they all signed in; write the figures to `out`."""
    import gevent  # locust's import below patches the standard library for gevent
    from locust import FastHttpUser, between, events, task
    from locust.env import Environment
    from locust.exception import StopUser

    token_re = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    switch_re = re.compile(
        r'action="(/preferences/(?!always-human/)[^"/]+/)"[^>]*>\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">\s*'
        r'<input type="hidden" name="allowed" value="(true|false)">\s*'
        r'<input type="hidden" name="notice_version" value="(\d+)">'
    )
    detail_re = re.compile(r'href="(/requests/\d+/)"')
    signed_in: list[int] = []
    gave_up: list[int] = []

    class Customer(FastHttpUser):
        wait_time = between(think / 2, think * 3 / 2) if think else between(0, 0)
        number = 0

        def on_start(self) -> None:
            Customer.number += 1
            self.index = Customer.number - 1
            # The production proxy appends the client's address; each customer has its own.
            self.address = f"10.{self.index // 250}.{self.index % 250}.{1 + self.index % 200}"
            self.headers = {"X-Forwarded-For": self.address, "Accept-Language": "en"}
            for _attempt in range(3):  # each failed try counts as an error; a slow machine may time one out
                if self.sign_in():
                    signed_in.append(self.index)
                    return
            gave_up.append(self.index)
            raise StopUser()

        def sign_in(self) -> bool:
            page = self.client.get("/accounts/login/", headers=self.headers, name="sign-in form")
            token = token_re.search(page.text or "")
            with self.client.post(
                "/accounts/login/",
                data={
                    "login": f"load-{self.index}@example.com",
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": token.group(1) if token else "",
                },
                headers={**self.headers, "Referer": f"{host}/accounts/login/"},
                name=SIGN_IN,
                allow_redirects=False,
                catch_response=True,
            ) as response:
                where = response.headers.get("Location", "") if response.headers else ""
                if response.status_code != 302 or not where.endswith("/dashboard/"):
                    response.failure(f"not signed in ({response.status_code}, to {where!r})")
                    return False
                return True

        def page(self, path: str, name: str, expect: str = "<html") -> str:
            # Not following redirects: a page that sends the customer to sign in again is an error.
            with self.client.get(
                path, headers=self.headers, name=name, allow_redirects=False, catch_response=True
            ) as response:
                body = response.text or ""
                if response.status_code != 200 or expect not in body:
                    response.failure(f"{response.status_code}, or {expect!r} missing")
                return body

        def floor(self) -> None:
            # Right after the page, as a browser asks for what a page needs; then the customer reads.
            self.page("/healthz", FLOOR, expect='"ok"')
            gevent.sleep(self.wait_time())

        @task
        def visit(self) -> None:
            self.page("/dashboard/", "dashboard")
            self.floor()
            self.page("/my-data/", "my data")
            self.floor()
            body = self.page("/preferences/", "AI choices")
            self.switches = switch_re.findall(body)
            self.floor()
            if self.switches:
                path, token, allowed, version = self.switches[self.index % len(self.switches)]
                # What htmx posts for the switch's form: its fields, and the headers htmx adds.
                with self.client.post(
                    path,
                    data={"csrfmiddlewaretoken": token, "allowed": allowed, "notice_version": version},
                    headers={
                        **self.headers,
                        "HX-Request": "true",
                        "HX-Target": "preferences-body",
                        "HX-Current-URL": f"{host}/preferences/",
                        "Referer": f"{host}/preferences/",
                    },
                    name="AI use switch (POST)",
                    allow_redirects=False,
                    catch_response=True,
                ) as response:
                    if response.status_code != 200 or 'id="preferences-status"' not in (response.text or ""):
                        response.failure(f"{response.status_code}: the switch was not made")
                self.floor()
            body = self.page("/requests/", "requests")
            self.floor()
            details = detail_re.findall(body)
            if details:
                self.page(details[self.index % len(details)], "request detail")
                self.floor()

    environment = Environment(user_classes=[Customer], host=host, events=events)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=spawn_rate)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(signed_in) + len(gave_up) < users:
        gevent.sleep(0.2)
    sign_in = environment.stats.get(SIGN_IN, "POST")
    figures: dict[str, Any] = {"sign_in": _figures(sign_in, sign_in.last_request_timestamp or 1), "pages": {}}
    figures["signed_in"] = len(signed_in)
    figures["sign_in_errors"] = [
        {"name": error.name, "method": error.method, "error": str(error.error), "occurrences": error.occurrences}
        for error in environment.stats.errors.values()
    ]
    # The last sign-ins leave a queue behind them (each hashes a password): measure once it has drained.
    gevent.sleep(warmup)
    environment.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    stats = {name: environment.stats.get(name, method) for name, method in environment.stats.entries}
    runner.quit()
    for name, entry in stats.items():
        if entry.num_requests:  # not the sign-in, which reset left empty
            figures["pages"][name] = _figures(entry, elapsed)
    figures["errors"] = [
        {"name": error.name, "method": error.method, "error": str(error.error), "occurrences": error.occurrences}
        for error in environment.stats.errors.values()
    ]
    figures["seconds"] = elapsed
    Path(out).write_text(json.dumps(figures))


def _figures(entry: Any, seconds: float) -> dict[str, float]:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.num_requests / seconds if seconds else 0.0,
        "p50": entry.get_response_time_percentile(0.5) or 0,
        "p95": entry.get_response_time_percentile(0.95) or 0,
        "p99": entry.get_response_time_percentile(0.99) or 0,
    }


# --- The orchestra: servers, seed, gunicorn, the locust child -------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(users: int) -> None:
    """--users customers who can sign in, each with some data of every kind the customer pages show."""
    import random
    from datetime import timedelta

    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from accounts.models import User
    from interactions import services as interaction_services
    from interactions.demo import _seed_customer
    from interactions.models import Conversation
    from privacy import services
    from privacy.demo import _demo_request, seed_ai_systems
    from privacy.models import AIPurpose, AISystem, ConsentMethod, PrivacyRequest, PurposeSlug
    from privacy.registry import registry

    call_command("migrate", verbosity=0)
    seed_ai_systems()
    systems = {system.slug: system for system in AISystem.objects.all()}
    purposes = {purpose.slug: purpose for purpose in AIPurpose.objects.all()}
    hashed = make_password(PASSWORD)  # hashed once: the hasher is slow on purpose
    now = timezone.now()
    for index in range(users):
        user = User.objects.create_user(email=f"load-{index}@example.com")
        user.password = hashed
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        rng = random.Random(index)
        _seed_customer(user, systems, rng)  # the demo's conversations, messages and AI inferences
        services.preference_set(
            user=user, purpose=purposes[PurposeSlug.AUTOMATED_DECISIONS], allowed=True, method=ConsentMethod.PORTAL
        )
        services.preference_set(
            user=user, purpose=purposes[PurposeSlug.AI_TRAINING], allowed=index % 2 == 0, method=ConsentMethod.PORTAL
        )
        for number, (system, outcome) in enumerate(
            (("refund-assistant", "unfavourable"), ("recommender", "favourable"))
        ):
            interaction_services.decision_record(
                client=None,
                customer=user,
                data={
                    "external_id": f"load-{user.pk}-decision-{number}",
                    "ai_system": systems[system],
                    "purpose": purposes[PurposeSlug.AUTOMATED_DECISIONS],
                    "kind": "refund_request" if number == 0 else "offer_eligibility",
                    "kind_label": "Refund request" if number == 0 else "Loyalty offer",
                    "outcome": outcome,
                    "outcome_label": "Refund declined" if number == 0 else "Offer applies to you",
                    "model_version": "2.3",
                    "confidence": 0.8,
                    "decided_at": now - timedelta(days=3 + number * 10),
                    "human_involved": False,
                    "reasons": [{"text": "The request came after 30 days.", "weight": 1.0}],
                },
            )
        conversation = Conversation.objects.filter(customer=user).exclude(ai_system=None).first()
        if conversation is not None:
            services.human_review_request(
                user=user,
                source=registry.source("interactions.conversation"),
                row=conversation,
                contests_outcome=True,
                statement="The assistant refused my refund.",
            )
        Status = PrivacyRequest.Status
        finished = now - timedelta(days=20)
        PrivacyRequest.objects.bulk_create(
            [
                _demo_request(
                    user.pk,
                    "export",
                    finished - timedelta(days=1),
                    status=Status.EXPIRED,
                    started_at=finished,
                    finished_at=finished,
                ),
                _demo_request(
                    user.pk, "erasure", now - timedelta(days=40), status=Status.CANCELLED, finished_at=finished
                ),
            ]
        )
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")
    connections.close_all()


def idle_floor_ms(port: int, times: int = 40) -> float:
    """The floor's median with nobody else asking (no session): how fast it is when the server is idle."""
    import http.client
    import statistics

    spent = []
    for _ in range(times):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        start = time.perf_counter()
        connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
        connection.getresponse().read()
        spent.append(time.perf_counter() - start)
        connection.close()
    return statistics.median(spent) * 1000


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    import http.client  # here: it imports ssl, which the locust child must patch before anyone imports it

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if connection.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


@contextlib.contextmanager
def started(command: list[str], env: dict[str, str]):
    """A child in a session of its own (Ctrl-C reaches only us), stopped by its PID's group on the way out."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def report(args: argparse.Namespace, figures: dict[str, Any], idle: float) -> None:
    pages, floor = figures["pages"], figures["pages"].get(FLOOR)
    print(
        f"Customer pages under load: {args.users} customers (think time ~{args.think:g} s), "
        f"{figures['seconds']:.0f} s measured; gunicorn {args.workers} workers x {args.threads} threads; "
        f"PostgreSQL + Redis (private); DEBUG off, PORTAL_ENV unset (development settings: see --help)"
    )
    sign_in = figures["sign_in"]
    print(
        f"  signed in {figures['signed_in']}/{args.users} customers before measuring: sign in p50 {sign_in['p50']:.0f} ms, "
        f"p95 {sign_in['p95']:.0f} ms (mostly the password hash), {sign_in['failures']} failed"
    )
    print(f"  {'page':<22} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}  target")
    floor_p95 = floor["p95"] if floor else 0
    for name in [FLOOR, *PAGES, *sorted(set(pages) - {FLOOR, *PAGES})]:
        row = pages.get(name)
        if row is None:
            if name in PAGES:
                print(f"  {name:<22} not requested  MISS")
            continue
        if name == FLOOR:
            verdict = "(the floor)"
        elif name not in PAGES:
            verdict = ""
        else:
            ratio = row["p95"] / floor_p95 if floor_p95 else float("inf")
            ok = row["failures"] == 0 and ratio <= TARGET_RATIO
            verdict = f"p95 = {ratio:.1f}x the floor's  {'PASS' if ok else 'MISS'}"
        print(
            f"  {name:<22} {row['rps']:7.1f} {row['p50']:7.0f} {row['p95']:7.0f} {row['p99']:7.0f} "
            f"{row['failures']:7d}  {verdict}"
        )
    total = sum(row["failures"] for row in pages.values()) + sign_in["failures"]
    print(f"  errors: {total} (target: 0)  {'PASS' if total == 0 else 'MISS'}")
    for error in (figures["sign_in_errors"] + figures["errors"])[:10]:
        print(f"    {error['occurrences']}x {error['method']} {error['name']}: {error['error']}")
    print(f"  targets: no errors; each page's p95 at most {TARGET_RATIO:g}x the floor's p95")
    if floor:
        print(
            f"  the floor idle (before the load, no session): p50 {idle:.0f} ms; under the load: p50 {floor['p50']:.0f} ms"
        )
        if floor["p50"] > SATURATED * idle:
            print(
                f"  NOTE: under the load the floor took over {SATURATED:g}x its idle time: the server (or this machine) "
                "was saturated and every request mostly waited its turn, which brings the ratios towards 1. "
                "Read the figures with that in mind (a longer --think, or a quieter machine)."
            )


def run(args: argparse.Namespace) -> None:
    from private_postgres import private_postgres
    from private_redis import private_redis

    with contextlib.ExitStack() as stack:
        database = stack.enter_context(private_postgres()).create_database("bench")
        redis = stack.enter_context(private_redis()).removesuffix("/0")
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-bench-load-")))
        env = {
            **os.environ,
            "PORTAL_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "warning",
            "DATABASE_URL": database,
            "CACHE_URL": f"{redis}/1",
            "CELERY_BROKER_URL": f"{redis}/0",
            "TRUST_X_FORWARDED_PROTO": "true",
        }
        env.pop("PORTAL_ENV", None)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        print(f"Seeding {args.users} customers ...", flush=True)
        seed(args.users)
        port = free_port()
        host = f"http://127.0.0.1:{port}"
        gunicorn = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}"]
        gunicorn += ["--workers", str(args.workers), "--log-level", "warning"]
        if args.threads > 1:
            gunicorn += ["--worker-class", "gthread", "--threads", str(args.threads)]
        server = stack.enter_context(started(gunicorn, env))
        wait_until_up(port, server)
        idle = idle_floor_ms(port)
        out = data_dir / "figures.json"
        print(f"Signing {args.users} customers in, then measuring for {args.seconds:g} s ...", flush=True)
        child = [sys.executable, __file__, "--drive", host, "--out", str(out)]
        child += ["--users", str(args.users), "--spawn-rate", str(args.spawn_rate)]
        child += ["--seconds", str(args.seconds), "--think", str(args.think), "--warmup", str(args.warmup)]
        locust = stack.enter_context(started(child, env))
        try:
            locust.wait(timeout=args.seconds + 400)
        except subprocess.TimeoutExpired:
            raise SystemExit("the load did not finish in time") from None
        if locust.returncode != 0 or not out.exists():
            raise SystemExit(f"locust failed (exit {locust.returncode})")
        report(args, json.loads(out.read_text()), idle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="the measured window, after every customer signed in")
    parser.add_argument("--users", type=int, default=50)
    # Each sign-in hashes a password (slow on purpose): arriving all at once, they would queue for a minute.
    parser.add_argument("--spawn-rate", type=float, default=2, help="customers arriving per second")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (about 2 per core, plus one)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (more than 1: gthread)")
    parser.add_argument("--think", type=float, default=5.0, help="mean time a customer reads a page, in seconds")
    parser.add_argument("--warmup", type=float, default=15, help="seconds between the last sign-in and measuring")
    parser.add_argument("--drive", metavar="HOST", help=argparse.SUPPRESS)  # the locust child
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(args.drive, args.users, args.spawn_rate, args.seconds, args.think, args.warmup, args.out)
        return
    # SIGTERM unwinds like Ctrl-C, so every server started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        run(args)
    except KeyboardInterrupt:
        # run()'s context managers have stopped gunicorn, locust, PostgreSQL and Redis by now.
        raise SystemExit("interrupted: everything this bench started is stopped") from None


if __name__ == "__main__":
    main()
