"""Edge cases of erasure found in review: what must never be left behind or half-done."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from accounts.models import User
from privacy import exporting, services
from privacy.models import ExportArchive, OutboundEmail, PrivacyRequest
from privacy.registry import registry
from privacy.selectors import ai_permissions
from privacy.services.exports import export_scratch_dir, export_storage_name
from privacy.tasks import build_export, run_erasure, sweep_stuck_requests
from tests.conftest import make_customer, sign_in_recently
from tests.factories import give_history


def test_a_cancelled_erasure_forgets_the_captured_address(alice):
    erasure = services.erasure_request_create(user=alice)
    services.request_cancel(request=erasure, user=alice)
    erasure.refresh_from_db()
    assert (erasure.receipt_email, erasure.subject_public_id) == ("", None)


def test_a_denied_erasure_forgets_the_captured_address(alice):
    officer = make_customer("officer@example.com", is_staff=True)
    erasure = services.erasure_request_create(user=alice)
    services.request_deny(request=erasure, staff_user=officer, reason="Open order.")
    erasure.refresh_from_db()
    assert (erasure.receipt_email, erasure.subject_public_id) == ("", None)


def test_an_erasure_that_has_started_cannot_be_cancelled(alice, monkeypatch):
    monkeypatch.setattr(run_erasure, "delay", lambda *a: None)
    erasure = services.erasure_request_create(user=alice, skip_grace=True)
    services.erasure_claim(request_id=erasure.pk, task_id="t")
    services.erasure_release(request_id=erasure.pk)  # back in the queue after a crash
    erasure.refresh_from_db()
    assert not erasure.is_cancellable
    with pytest.raises(services.IllegalTransition):
        services.request_cancel(request=erasure, user=alice)


def test_an_erasure_that_failed_part_way_keeps_every_ai_use_off(alice, monkeypatch):
    monkeypatch.setattr(run_erasure, "delay", lambda *a: None)
    erasure = services.erasure_request_create(user=alice, skip_grace=True)
    services.erasure_claim(request_id=erasure.pk, task_id="t")
    services.erasure_fail(request_id=erasure.pk, error_name="OperationalError")
    assert {p.reason for p in ai_permissions(user=alice)} == {"erasure_pending"}


def test_asking_for_erasure_cancels_a_queued_export_and_no_archive_is_built_after(alice, monkeypatch):
    from privacy.tasks import build_export

    monkeypatch.setattr(build_export, "delay", lambda *a: None)
    export = services.export_request_create(user=alice)
    monkeypatch.setattr(run_erasure, "delay", lambda *a: None)
    services.erasure_request_create(user=alice)
    export.refresh_from_db()
    assert export.status == "cancelled"
    User.objects.filter(pk=alice.pk).update(is_active=False)
    other = PrivacyRequest.objects.create(
        kind="export", status="approved", user=alice, subject_ref="x", due_at=export.due_at
    )
    assert services.export_claim(request_id=other.pk, task_id="t") is None  # an erased account gets no export


def files_of(export: PrivacyRequest) -> list[str]:
    """Whatever an export left: files in the exports storage, its scratch folder."""
    storage = storages["exports"]
    stored = storage.listdir("exports")[1] if storage.exists("exports") else []
    left = [name for name in stored if name.startswith(f"request-{export.pk}")]
    return left + ([str(export_scratch_dir(export))] if export_scratch_dir(export).exists() else [])


def test_an_open_erasure_refuses_a_new_export_until_it_is_cancelled(
    client, alice, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(build_export, "delay", lambda *a: None)
    erasure = services.erasure_request_create(user=alice)  # waits for approval, then its grace period
    with pytest.raises(services.RequestRefused, match="erase your data"):
        services.export_request_create(user=alice)
    sign_in_recently(client, alice.email)
    response = client.post("/requests/export/", follow=True)
    assert "You asked us to erase your data" in response.content.decode()
    assert not PrivacyRequest.objects.filter(kind="export").exists()
    services.request_cancel(request=erasure, user=alice)
    assert services.export_request_create(user=alice).status == "approved"


def test_an_export_put_back_in_the_queue_while_an_erasure_is_open_is_cancelled_and_builds_nothing(alice, monkeypatch):
    monkeypatch.setattr(build_export, "delay", lambda *a: None)
    export = services.export_request_create(user=alice)
    assert services.export_claim(request_id=export.pk, task_id="dead-worker") is not None  # then its worker dies
    services.erasure_request_create(user=alice)  # the running export is not "queued": it stays processing
    monkeypatch.undo()
    PrivacyRequest.objects.filter(pk=export.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    sweep_stuck_requests.delay()  # requeued, and the task runs (eagerly)
    export.refresh_from_db()
    assert export.status == "cancelled"
    assert not ExportArchive.objects.exists() and files_of(export) == []


def build_archive_during_which(monkeypatch, meanwhile, *, at: str) -> None:
    """The real archive build, with `meanwhile` happening half-way through or after its last source."""
    real = exporting.build_archive

    def build(**kwargs):
        report = kwargs["on_progress"]

        def on_progress(done: int, total: int) -> None:
            if at == "half-way" and done == total // 2:
                meanwhile()
            report(done, total)
            if at == "after the last source" and done == total:
                meanwhile()

        return real(**{**kwargs, "on_progress": on_progress})

    monkeypatch.setattr("privacy.services.exports.build_archive", build)


@pytest.mark.parametrize("at", ["half-way", "after the last source"])
def test_an_export_being_built_when_the_erasure_starts_deletes_what_it_built(alice, monkeypatch, mailoutbox, at):
    give_history(alice, marker="ALICE-MARK")
    monkeypatch.setattr(build_export, "delay", lambda *a: None)
    monkeypatch.setattr(run_erasure, "delay", lambda *a: None)
    export = services.export_request_create(user=alice)
    claimed = services.export_claim(request_id=export.pk, task_id="t")
    assert claimed is not None

    def erasure_starts() -> None:
        erasure = services.erasure_request_create(user=alice, skip_grace=True)
        assert services.erasure_claim(request_id=erasure.pk, task_id="e") is not None

    build_archive_during_which(monkeypatch, erasure_starts, at=at)
    services.export_build(request=claimed)
    export.refresh_from_db()
    assert export.status == "cancelled"
    assert not ExportArchive.objects.exists() and files_of(export) == []
    assert not any("ready" in m.subject for m in mailoutbox)


def test_an_export_claimed_before_the_customer_was_erased_leaves_nothing_after_the_erasure(
    alice, monkeypatch, django_capture_on_commit_callbacks
):
    give_history(alice, marker="ALICE-MARK")
    monkeypatch.setattr(build_export, "delay", lambda *a: None)
    export = services.export_request_create(user=alice)
    claimed = services.export_claim(request_id=export.pk, task_id="t")
    assert claimed is not None
    with django_capture_on_commit_callbacks(execute=True):
        erasure = services.erasure_request_create(user=alice, skip_grace=True)  # runs to completion now
    erasure.refresh_from_db()
    assert erasure.status == "completed"
    services.export_build(request=claimed)  # the export's worker carries on
    export.refresh_from_db()
    assert export.status == "cancelled"
    assert not ExportArchive.objects.exists() and files_of(export) == []


def test_erasure_removes_archive_files_and_scratch_folders_without_rows(
    alice, monkeypatch, django_capture_on_commit_callbacks
):
    from privacy.tasks import build_export

    monkeypatch.setattr(build_export, "delay", lambda *a: None)
    export = services.export_request_create(user=alice)
    # A build cut short: a file in storage and a scratch folder, but no archive row.
    storages["exports"].save(export_storage_name(export), ContentFile(b"alice's data"))
    export_scratch_dir(export).mkdir(parents=True, exist_ok=True)
    (export_scratch_dir(export) / "data.json").write_text("alice's data")
    with django_capture_on_commit_callbacks(execute=True):
        services.erasure_request_create(user=alice, skip_grace=True)
    assert not storages["exports"].exists(export_storage_name(export))
    assert not export_scratch_dir(export).exists()


def test_codes_and_notices_sent_without_a_user_are_linked_to_the_owner(
    client, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/login/code/", {"email": alice.email})
    assert OutboundEmail.objects.get().user_id == alice.pk


def test_erasure_deletes_unlinked_e_mails_to_the_customers_addresses(alice, bob, django_capture_on_commit_callbacks):
    from django.core.mail import EmailMessage

    for to in (alice.email, bob.email):
        services.outbound_email_queue(
            message=EmailMessage("Code", "123", "p@localhost", [to]), template="t", user_id=None
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.erasure_request_create(user=alice, skip_grace=True)
    remaining = [r for recipients in OutboundEmail.objects.values_list("recipients", flat=True) for r in recipients]
    assert alice.email not in remaining and bob.email in remaining


def test_the_admin_log_forgets_what_it_named_of_the_customer(alice, bob, django_capture_on_commit_callbacks):
    staff = make_customer("officer@example.com", is_staff=True)
    for user in (alice, bob):
        LogEntry.objects.create(
            user=staff,
            content_type=ContentType.objects.get_for_model(User),
            object_id=str(user.pk),
            object_repr=user.email,
            action_flag=CHANGE,
            change_message="[]",
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.erasure_request_create(user=alice, skip_grace=True)
    reprs = set(LogEntry.objects.values_list("object_repr", flat=True))
    assert reprs == {"(erased)", bob.email}


def test_rows_of_nobody_are_never_asked_for():
    with pytest.raises(ValueError):
        registry.source("interactions.message").rows_for(None)  # type: ignore[arg-type]  # deliberately no customer


def test_a_row_still_pointing_at_an_erased_row_is_handled_the_careful_way(alice, bob):
    """Bob's inference points at Alice's conversation (bad data from a client): erasing Alice detaches it."""
    from interactions.models import AIInference
    from privacy.erasure import erasure_step_run, erasure_steps_ensure
    from tests.factories import AIInferenceFactory, ConversationFactory

    conversation = ConversationFactory.create(customer=alice)
    stray = AIInferenceFactory.create(customer=bob, conversation=conversation)
    erasure = services.erasure_request_create(user=alice, skip_grace=True)
    for step in erasure_steps_ensure(erasure):
        erasure_step_run(step=step, user=alice)
    stray.refresh_from_db()
    assert stray.conversation is None  # detached (SET_NULL), not a broken reference
    assert AIInference.objects.filter(customer=bob).count() == 1
