"""Export jobs on real workers and a real Redis: crashes, duplicates and outages."""

import os
import signal
import subprocess
import time

import pytest
from django.utils import timezone

from interactions.models import Conversation, Message
from privacy.models import ExportArchive, OutboundEmail, PrivacyRequest
from privacy.tasks import build_export, sweep_stuck_requests
from tests.workers import ALL_QUEUES, archives_of, start_worker, wait_for, worker_env

pytestmark = pytest.mark.integration


def ready_emails(export: PrivacyRequest) -> int:
    return OutboundEmail.objects.filter(user=export.user, template="privacy/email/export_ready").count()


def big_history(customer, messages: int) -> None:
    conversation = Conversation.objects.create(
        customer=customer, channel="chat", handled_by="human", started_at=timezone.now()
    )
    Message.objects.bulk_create(
        (
            Message(conversation=conversation, sender="customer", body=f"Message {i} " * 20, sent_at=timezone.now())
            for i in range(messages)
        ),
        batch_size=5000,
    )


def test_an_export_asked_for_in_the_portal_is_built_by_the_worker(client, alice, real_worker, tmp_path):
    client.force_login(alice)
    client.post("/accounts/reauthenticate/", {"password": "a-long-test-password-42"})
    response = client.post("/requests/export/")
    export = PrivacyRequest.objects.get(user=alice)
    assert response["Location"] == f"/requests/{export.pk}/"
    wait_for(lambda: PrivacyRequest.objects.get(pk=export.pk).status == "completed", what="the export")
    assert len(archives_of(export.pk)) == 1
    wait_for(lambda: ready_emails(export) == 1, what="the e-mail")
    assert "exports" in real_worker.log()


def test_a_worker_killed_mid_build_is_replaced_and_the_export_completes_once(transactional_db, alice, tmp_path):
    from portal.celery import app as celery_app

    big_history(alice, 60_000)
    env = worker_env(tmp_path, REQUEST_SILENT_STUCK_SECONDS="2")
    first = start_worker(env=env, folder=tmp_path, queues=ALL_QUEUES)
    celery_app.conf.task_always_eager = False
    try:
        from privacy import services

        export = services.export_request_create(user=alice)
        wait_for(
            lambda: PrivacyRequest.objects.get(pk=export.pk).status == "processing",
            interval=0.02,
            what="the build to start",
        )
        first.stop(signal.SIGKILL)  # the whole worker, mid-build
        assert PrivacyRequest.objects.get(pk=export.pk).status == "processing"
        second = start_worker(env=env, folder=tmp_path, queues=ALL_QUEUES)
        try:
            time.sleep(3)  # past the silence threshold
            sweep_stuck_requests.delay()
            wait_for(
                lambda: PrivacyRequest.objects.get(pk=export.pk).status == "completed",
                timeout=120,
                what="the export after the crash",
            )
            wait_for(lambda: ready_emails(export) >= 1, what="the e-mail")
            time.sleep(1)
        finally:
            second.stop()
    finally:
        celery_app.conf.task_always_eager = True
    export.refresh_from_db()
    assert export.attempts == 2
    assert ExportArchive.objects.filter(request=export).count() == 1
    assert len(archives_of(export.pk)) == 1
    assert ready_emails(export) == 1


def test_the_same_task_delivered_twice_builds_one_archive(alice, real_worker, tmp_path, monkeypatch):
    from privacy import services

    monkeypatch.setattr(build_export, "delay", lambda *a: None)  # we publish by hand below
    export = services.export_request_create(user=alice)
    monkeypatch.undo()
    build_export.apply_async(args=(export.pk,), task_id="same-task")
    build_export.apply_async(args=(export.pk,), task_id="same-task")
    wait_for(lambda: PrivacyRequest.objects.get(pk=export.pk).status == "completed", what="the export")
    time.sleep(2)  # give the second delivery its turn
    assert ExportArchive.objects.filter(request=export).count() == 1
    assert len(archives_of(export.pk)) == 1
    assert ready_emails(export) == 1
    assert "is not waiting to be worked on" in real_worker.log()


def redis_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["redis-cli", "-p", os.environ["TEST_REDIS_PORT"], *args], capture_output=True, text=True)


def restart_redis() -> None:
    folder = os.environ["TEST_REDIS_DIR"]
    subprocess.run(
        [
            "redis-server",
            "--port",
            os.environ["TEST_REDIS_PORT"],
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            folder,
            "--pidfile",
            f"{folder}/redis.pid",
            "--logfile",
            f"{folder}/redis.log",
        ],
        check=True,
    )
    wait_for(lambda: redis_command("ping").stdout.strip() == "PONG", what="Redis to come back")


def test_an_export_asked_for_while_redis_is_down_completes_after_it_returns(transactional_db, client, alice, tmp_path):
    from portal.celery import app as celery_app

    env = worker_env(tmp_path, REQUEST_QUEUED_STUCK_SECONDS="1")
    worker = start_worker(env=env, folder=tmp_path, queues=ALL_QUEUES)
    celery_app.conf.task_always_eager = False
    try:
        redis_command("shutdown", "nosave")
        wait_for(lambda: redis_command("ping").returncode != 0, what="Redis to stop")
        client.force_login(alice)
        client.post("/accounts/reauthenticate/", {"password": "a-long-test-password-42"})
        response = client.post("/requests/export/")
        export = PrivacyRequest.objects.get(user=alice)
        assert response["Location"] == f"/requests/{export.pk}/"  # the customer is answered, nothing lost
        assert export.status == "approved"
        restart_redis()
        time.sleep(2)  # past the queued threshold; the worker reconnects
        sweep_stuck_requests.delay()
        try:
            wait_for(
                lambda: PrivacyRequest.objects.get(pk=export.pk).status == "completed",
                timeout=60,
                what="the export after the outage",
            )
        except AssertionError as timeout:
            raise AssertionError(f"{timeout}\n{worker.log()[-6000:]}") from None
        assert len(archives_of(export.pk)) == 1
    finally:
        celery_app.conf.task_always_eager = True
        worker.stop()
