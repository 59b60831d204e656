"""Who holds a privacy job: a task the sweeper replaced, and a live worker that is only waiting."""

import time
from datetime import timedelta

import pytest

from privacy import services
from privacy.models import OutboundEmail, PrivacyRequest
from privacy.tasks import run_erasure


def test_a_task_the_sweeper_replaced_can_neither_complete_nor_fail_its_successors_erasure(alice, bob, monkeypatch):
    monkeypatch.setattr(run_erasure, "delay", lambda *a: None)
    erasure = services.erasure_request_create(user=alice, skip_grace=True)
    old = services.erasure_claim(request_id=erasure.pk, task_id="old")
    assert old is not None
    PrivacyRequest.objects.filter(pk=erasure.pk).update(heartbeat_at=old.heartbeat_at - timedelta(hours=1))
    assert services.requests_requeue_stuck(queued_for=timedelta(minutes=5), silent_for=timedelta(minutes=15)) == [
        (erasure.pk, "erasure")
    ]
    assert services.erasure_claim(request_id=erasure.pk, task_id="new") is not None
    receipts = OutboundEmail.objects.filter(template="privacy/email/erasure_completed")

    with pytest.raises(services.IllegalTransition):
        services.erasure_execute(request=old)  # the replaced task was only slow, and carries on
    services.erasure_fail(request_id=erasure.pk, error_name="IllegalTransition", task_id="old")

    erasure.refresh_from_db()
    assert (erasure.status, erasure.claimed_by_task) == ("processing", "new")
    assert erasure.receipt_email == alice.email and not receipts.exists()  # the successor sends the one receipt
    assert not PrivacyRequest.objects.filter(user=bob).exists()


def test_a_live_worker_waiting_past_the_silence_threshold_keeps_its_job(alice, transactional_db, monkeypatch):
    from privacy.tasks import build_export

    monkeypatch.setattr(build_export, "delay", lambda *a: None)
    export = services.export_request_create(user=alice)
    assert services.export_claim(request_id=export.pk, task_id="alive") is not None
    silent_for = timedelta(seconds=0.6)

    with services.request_kept_alive(request_id=export.pk, task_id="alive", every=0.1):
        time.sleep(1.2)  # waiting on a lock, or in one long statement: no progress to report
        assert services.requests_requeue_stuck(queued_for=timedelta(minutes=5), silent_for=silent_for) == []

    time.sleep(1.2)  # the worker is gone: nothing beats for it any more
    assert services.requests_requeue_stuck(queued_for=timedelta(minutes=5), silent_for=silent_for) == [
        (export.pk, "export")
    ]
