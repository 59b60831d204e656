"""Many workers at once: 300 exports and 50 erasures on three real workers, one of them killed mid-run.

Every job must run to completion exactly once: one archive, one e-mail and
one completion in the audit trail each, nothing left in progress, and the
sweeper (as beat runs it) must hand a dead worker's jobs to the survivors
without ever taking a job from a worker that is still alive.

To kill a worker at a known point of its jobs, the test holds a table lock
on the export archives: every export then writes its archive to storage and
waits, inside its closing transaction, to record it (the moment between
"archive written" and "marked done"); an erasure waits at its archive step,
making no progress for longer than the sweeper's silence threshold.
"""

import email
import re
import signal
import time
import zipfile
from collections import Counter
from email import policy
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from interactions.models import Conversation, Message
from privacy import services
from privacy.models import AuditEvent, ErasureStep, ExportArchive, OutboundEmail, PrivacyRequest
from privacy.tasks import sweep_stuck_requests
from tests.conftest import PASSWORD
from tests.workers import ALL_QUEUES, archives_of, start_worker, wait_for, worker_env, worker_ready

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXPORTS, ERASURES = 300, 50
CONCURRENCY = 2  # per worker: three workers, six jobs at a time
SILENT_SECONDS = 2  # the sweeper's "no heartbeat for this long: its worker died"
ADDRESS = re.compile(rb"many-(?:export|erasure)-\d+@example\.com")


def seed_customers(kind: str, count: int) -> list[User]:
    """`count` customers with a conversation each, in a few statements (their archives stay small)."""
    password = make_password(PASSWORD)  # hashed once: hashing per customer would be most of the test
    customers = User.objects.bulk_create(
        User(email=f"many-{kind}-{i}@example.com", full_name=f"Customer {kind} {i}", password=password)
        for i in range(count)
    )
    conversations = Conversation.objects.bulk_create(
        Conversation(customer=customer, channel="chat", handled_by="human", started_at=timezone.now())
        for customer in customers
    )
    Message.objects.bulk_create(
        Message(conversation=c, sender="customer", body=f"Please write to {c.customer.email}", sent_at=timezone.now())
        for c in conversations
    )
    return customers


def tasks_received_by(worker) -> set[str]:
    return set(re.findall(r"Task privacy\.tasks\.\w+\[([0-9a-f-]+)\] received", worker.log()))


def pinned_jobs(count: int) -> bool:
    """Exactly `count` jobs in progress, each waiting on the pin (not on any passing lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query ILIKE '%%privacy_exportarchive%%'"
        )
        waiting = int(cursor.fetchone()[0])
    return waiting == count and len(held_jobs()) == count


def held_jobs() -> dict[int, str]:
    """Request id -> the task holding it, for every request in progress."""
    return dict(PrivacyRequest.objects.filter(status="processing").values_list("pk", "claimed_by_task"))


def sent_emails(workers) -> Counter[tuple[str, str]]:
    """(recipient, subject) of every e-mail the workers sent, counted."""
    sent: Counter[tuple[str, str]] = Counter()
    for worker in workers:
        for path in worker.emails():
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            sent[(str(message["To"]), str(message["Subject"]))] += 1
    return sent


def test_three_workers_run_every_job_once_even_when_one_is_killed_mid_run(transactional_db, settings, tmp_path):
    from portal.celery import app as celery_app

    settings.PORTAL_REQUEST_SILENT_STUCK_SECONDS = SILENT_SECONDS
    # A long queue is no lost message (test_export_worker covers those): no re-publishing of queued jobs here.
    settings.PORTAL_REQUEST_QUEUED_STUCK_SECONDS = 600
    exporters = seed_customers("export", EXPORTS)
    erased = seed_customers("erasure", ERASURES)
    everyone = {c.email.encode() for c in exporters + erased}

    def env(name: str) -> dict[str, str]:
        return worker_env(tmp_path / name, REQUEST_SILENT_STUCK_SECONDS=str(SILENT_SECONDS))

    # The one to be killed builds exports only: it dies between writing an
    # archive and recording it. (An e-mail cut off mid-send is the e-mail
    # sweeper's business, and an erasure killed mid-step test_erasure_worker's.)
    victim = start_worker(env=env("victim"), folder=tmp_path, queues="exports", concurrency=CONCURRENCY, wait=False)
    survivors = [
        start_worker(env=env(f"w{i}"), folder=tmp_path, queues=ALL_QUEUES, concurrency=CONCURRENCY, wait=False)
        for i in (1, 2)
    ]
    workers = [victim, *survivors]
    db = settings.DATABASES["default"]
    pin = psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])
    celery_app.conf.task_always_eager = False
    try:
        for worker in workers:
            worker_ready(worker)
        pin.execute("LOCK TABLE privacy_exportarchive IN EXCLUSIVE MODE")  # held until pin.commit()
        erasures = [services.erasure_request_create(user=customer, skip_grace=True) for customer in erased]
        # The survivors' every process takes an erasure, which waits at its archive step...
        wait_for(lambda: pinned_jobs(2 * CONCURRENCY), timeout=120, what="the survivors' erasures to wait")
        exports = [services.export_request_create(user=customer) for customer in exporters]
        # ... and the victim's every process an export, which waits to record its archive.
        wait_for(lambda: pinned_jobs(3 * CONCURRENCY), timeout=120, what="the victim's exports to wait")
        held = held_jobs()
        by_victim = {pk: task for pk, task in held.items() if task in tasks_received_by(victim)}
        by_survivors = {pk: task for pk, task in held.items() if pk not in by_victim}
        assert len(by_victim) == CONCURRENCY and len(by_survivors) == 2 * CONCURRENCY, held
        for pk in by_victim:
            assert len(archives_of(pk)) == 1  # written, not yet recorded: the worker dies now

        victim.stop(signal.SIGKILL)
        time.sleep(SILENT_SECONDS + 1)  # every held job has now made no progress past the threshold
        for _ in range(2):  # beat, twice, while the survivors wait on the lock with their jobs
            sweep_stuck_requests()
            time.sleep(0.5)
        # They are alive, only waiting: nothing of theirs was taken back.
        assert {pk: task for pk, task in held_jobs().items() if pk in by_survivors} == by_survivors

        pin.commit()  # the waiting jobs go on; the dead worker's are swept to the survivors

        def all_finished() -> bool:
            sweep_stuck_requests()  # beat, as often as it likes
            return not PrivacyRequest.objects.exclude(status="completed").exists()

        try:
            wait_for(all_finished, timeout=400, interval=1, what="every job to finish")
            wait_for(lambda: not OutboundEmail.objects.exclude(status="sent").exists(), timeout=60, what="every e-mail")
        except AssertionError as timeout:
            stuck = list(PrivacyRequest.objects.exclude(status="completed").values("pk", "status", "claimed_by_task"))
            raise AssertionError(f"{timeout}: {stuck[:10]}\n{survivors[0].log()[-4000:]}") from None
        time.sleep(1)  # any duplicate delivery still in the queue has its turn
    finally:
        celery_app.conf.task_always_eager = True
        pin.close()
        for worker in workers:
            worker.stop()

    # Every job ran to its end once; the dead worker's jobs were taken exactly once more.
    attempts = dict(PrivacyRequest.objects.values_list("pk", "attempts"))
    assert {pk: n for pk, n in attempts.items() if n != 1} == dict.fromkeys(by_victim, 2)
    events = AuditEvent.objects.filter(object_type="privacy.privacyrequest")
    completions = Counter(events.filter(action="request.completed").values_list("object_id", flat=True))
    assert completions == Counter({str(r.pk): 1 for r in exports + erasures})
    claims = Counter(events.filter(action="request.processing").values_list("object_id", flat=True))
    assert claims == Counter({str(pk): n for pk, n in attempts.items()})

    # One archive per export, holding its own customer's data and nobody else's.
    assert not ExportArchive.objects.values("request").annotate(n=Count("pk")).filter(n__gt=1).exists()
    for export, customer in zip(exports, exporters, strict=True):
        files = archives_of(export.pk)
        assert [f.name for f in files] == [Path(ExportArchive.objects.get(request=export).storage_name).name]
        with zipfile.ZipFile(files[0]) as archive:
            found = {m for name in archive.namelist() for m in ADDRESS.findall(archive.read(name))}
        assert found == {customer.email.encode()} and found <= everyone, (export.pk, found)

    # One "ready" e-mail per export and one receipt per erasure, as sent.
    sent = sent_emails(workers)
    ready = Counter(to for (to, subject), n in sent.items() for _ in range(n) if "ready to download" in subject)
    receipts = Counter(to for (to, subject), n in sent.items() for _ in range(n) if "receipt" in subject)
    assert ready == Counter({c.email: 1 for c in exporters})
    assert receipts == Counter({c.email: 1 for c in erased})
    assert victim.emails() == []

    assert set(ErasureStep.objects.values_list("status", flat=True)) == {"done"}
