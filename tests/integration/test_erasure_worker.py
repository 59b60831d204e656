"""Erasure on real workers: nothing of the customer remains, and a killed worker's erasure resumes."""

import signal
import time
from pathlib import Path
from typing import Any, cast

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Field
from django.utils import timezone

from accounts.models import User
from interactions.models import AIInference, Conversation, Message
from privacy import services
from privacy.models import AIOutputFlag, ErasureStep, HumanReviewRequest, OutboundEmail, PrivacyRequest
from privacy.registry import ErasureAction, registry
from tests.conftest import make_customer
from tests.factories import AIInferenceFactory, ConversationFactory, MessageFactory
from tests.workers import ALL_QUEUES, exports_dir, start_worker, wait_for, worker_env

pytestmark = pytest.mark.integration

MARK = "zqxmark7"  # appears nowhere but in Alice's data


def marked_alice():
    alice = make_customer(
        f"alice.{MARK}@example.com",
        f"Alice {MARK} Archer",
        phone=f"+44 {MARK}",
        address_line1=f"1 {MARK} Street",
        address_line2=f"Flat {MARK}",
        postal_code=f"P{MARK}",
        city=f"{MARK}ton",
        country=f"{MARK}land",
    )
    conversation = ConversationFactory.create(customer=alice, subject=f"Order {MARK}")
    assert conversation.ai_system is not None
    MessageFactory.create(conversation=conversation, body=f"My order {MARK} is late")
    reply = MessageFactory.create(
        conversation=conversation, sender="ai", body=f"Sorry about {MARK}", ai_system=conversation.ai_system
    )
    AIInferenceFactory.create(customer=alice, conversation=conversation, value=f"angry about {MARK}")
    HumanReviewRequest.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(Conversation),
        object_id=conversation.pk,
        ai_system=conversation.ai_system,
        statement=f"The bot said {MARK}",
        due_at=timezone.now(),
    )
    AIOutputFlag.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(Message),
        object_id=reply.pk,
        ai_system=conversation.ai_system,
        reason="wrong",
        comment=f"Wrong: {MARK}",
    )
    return alice


def text_columns() -> list[tuple[str, str]]:
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                found.append((table, column.name))
    return found


def occurrences(marker: str) -> list[str]:
    hits = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s', [f"%{marker}%"])
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
    return hits


def retained_columns() -> set[str]:
    return {
        # Declared personal fields are the model's own (checked at start-up), never reverse relations.
        f"{s.model._meta.db_table}.{cast('Field[Any, Any]', s.model._meta.get_field(f.name)).column}"
        for s in registry.sources
        if s.erasure.action == ErasureAction.RETAIN
        for f in s.fields
    }


def row_counts_of(user) -> dict[str, int]:
    return {source.key: source.rows_for(user).count() for source in registry.sources}


def test_nothing_of_the_customer_remains_after_a_real_worker_erases_them(
    client, settings, real_worker, django_capture_on_commit_callbacks
):
    settings.PORTAL_ERASURE_GRACE_DAYS = 14  # the first request waits, and is cancelled
    settings.PORTAL_APPROVAL_REQUIRED = {"export": False, "erasure": False}
    alice = marked_alice()
    bob = make_customer("bob@example.com", "Bob Brennan")
    ConversationFactory.create(customer=bob, subject="Bob's order")
    from django.test import Client

    Client().post("/accounts/login/code/", {"email": alice.email})  # an e-mailed sign-in code
    client.force_login(alice)
    client.post("/accounts/reauthenticate/", {"password": "a-long-test-password-42"})
    client.post("/requests/export/")  # an archive full of markers, in storage
    wait_for(
        lambda: PrivacyRequest.objects.filter(user=alice, kind="export", status="completed").exists(), what="export"
    )
    assert occurrences(MARK), "the marker must be findable before erasure"
    bob_before = row_counts_of(bob)

    client.post("/requests/erasure/", {"confirmation": "erase my data"})  # asked once, then cancelled
    first = PrivacyRequest.objects.get(kind="erasure")
    if first.status != "completed":
        client.post(f"/requests/{first.pk}/cancel/")
    settings.PORTAL_ERASURE_GRACE_DAYS = 0
    client.post("/requests/erasure/", {"confirmation": "erase my data"})
    erasure = PrivacyRequest.objects.filter(kind="erasure").exclude(status="cancelled").get()
    wait_for(lambda: PrivacyRequest.objects.get(pk=erasure.pk).status == "completed", timeout=60, what="erasure")
    wait_for(lambda: not OutboundEmail.objects.exclude(status="sent").exists(), what="the receipt to be sent")

    assert [hit for hit in occurrences(MARK) if hit not in retained_columns()] == []
    for archive in Path(exports_dir()).rglob("*"):
        if archive.is_file():
            assert MARK.encode() not in archive.read_bytes()
    assert row_counts_of(bob) == bob_before
    receipt = [p for p in real_worker.emails() if b"receipt" in p.read_bytes()]
    assert len(receipt) == 1 and MARK.encode() in receipt[0].read_bytes()  # it did reach the captured address
    assert not User.objects.get(pk=alice.pk).is_active


def test_a_worker_killed_mid_erasure_is_replaced_and_each_step_is_done_once(transactional_db, tmp_path):
    from portal.celery import app as celery_app

    alice = make_customer("alice@example.com", "Alice Archer")
    conversations = Conversation.objects.bulk_create(
        Conversation(customer=alice, channel="chat", handled_by="human", started_at=timezone.now()) for _ in range(200)
    )
    AIInference.objects.bulk_create(
        (
            AIInference(
                customer=alice,
                ai_system=ConversationFactory.create(customer=alice).ai_system,
                kind="sentiment",
                value="calm",
                inferred_at=timezone.now(),
            )
            for _ in range(1)
        ),
    )
    Message.objects.bulk_create(
        (
            Message(conversation=conversations[i % 200], sender="customer", body="x" * 200, sent_at=timezone.now())
            for i in range(150_000)
        ),
        batch_size=10_000,
    )
    env = worker_env(tmp_path, REQUEST_SILENT_STUCK_SECONDS="2")
    first = start_worker(env=env, folder=tmp_path, queues=ALL_QUEUES)
    celery_app.conf.task_always_eager = False
    try:
        erasure = services.erasure_request_create(user=alice, skip_grace=True)
        wait_for(
            lambda: PrivacyRequest.objects.get(pk=erasure.pk).progress_done >= 3,
            interval=0.01,
            what="the erasure to be under way",
        )
        first.stop(signal.SIGKILL)
        erasure.refresh_from_db()
        assert erasure.status == "processing" and erasure.progress_done < erasure.progress_total
        done_before = dict(
            ErasureStep.objects.filter(request=erasure, status="done").values_list("source_key", "finished_at")
        )
        assert done_before
        second = start_worker(env=env, folder=tmp_path, queues=ALL_QUEUES)
        try:
            time.sleep(3)
            from privacy.tasks import sweep_stuck_requests

            sweep_stuck_requests.delay()
            wait_for(
                lambda: PrivacyRequest.objects.get(pk=erasure.pk).status == "completed",
                timeout=120,
                what="the erasure after the crash",
            )
        finally:
            second.stop()
    finally:
        celery_app.conf.task_always_eager = True
    steps = ErasureStep.objects.filter(request=erasure)
    assert {s.status for s in steps} == {"done"}
    for key, finished_at in done_before.items():
        assert steps.get(source_key=key).finished_at == finished_at  # not done a second time
    assert not Message.objects.filter(conversation__customer=alice).exists()
    assert PrivacyRequest.objects.get(pk=erasure.pk).attempts == 2
