from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from interactions.models import Conversation, Message
from portal.celery import app as celery_app
from privacy import services
from privacy.erasure import erasure_plan, erasure_step_run, erasure_steps_ensure
from privacy.models import ConsentEvent, ErasureStep, PrivacyRequest, WebhookDelivery
from privacy.registry import registry
from privacy.selectors import ai_permissions
from privacy.tasks import run_erasure, start_due_erasures
from tests.conftest import make_customer, sign_in, sign_in_recently
from tests.factories import give_history


@pytest.fixture
def recent_alice(client, alice):
    sign_in_recently(client, alice.email)
    return client


@pytest.fixture
def officer(db):
    return make_customer("officer@example.com", "Olivia Okafor", is_staff=True, is_superuser=True)


def ask_erasure(client, django_capture_on_commit_callbacks, phrase="erase my data"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/requests/erasure/", {"confirmation": phrase})


def test_the_page_lists_what_is_deleted_anonymised_and_kept_with_reasons(recent_alice, alice):
    html = recent_alice.get("/requests/erasure/").content.decode()
    for source in erasure_plan():
        if source.staff_only:
            continue  # Alice is a customer (tests/privacy/test_erasure_preview.py)
        assert source.label.replace("'", "&#x27;") in html
        if source.erasure.reason and source.rows_for(alice).exists():  # the others are folded: nothing to keep
            assert source.erasure.reason.replace("'", "&#x27;")[:40] in html
    assert "Get a copy of your data" in html  # an export is offered first


def test_asking_requires_reauthentication(alice_client):
    assert alice_client.post("/requests/erasure/", {"confirmation": "erase my data"})["Location"].startswith(
        "/accounts/reauthenticate/"
    )
    assert not PrivacyRequest.objects.exists()


def test_the_confirmation_phrase_must_be_typed(recent_alice, django_capture_on_commit_callbacks):
    response = ask_erasure(recent_alice, django_capture_on_commit_callbacks, phrase="yes")
    assert response.status_code == 200
    assert "Type exactly" in response.content.decode()
    assert not PrivacyRequest.objects.exists()


def test_a_request_waits_for_approval_and_every_ai_use_stops_at_once(
    recent_alice, alice, django_capture_on_commit_callbacks, mailoutbox
):
    response = ask_erasure(recent_alice, django_capture_on_commit_callbacks)
    erasure = PrivacyRequest.objects.get(user=alice)
    assert response["Location"] == f"/requests/{erasure.pk}/"
    assert erasure.status == "awaiting_approval"
    assert erasure.scheduled_for is not None
    assert erasure.scheduled_for - erasure.submitted_at == timedelta(days=14)
    assert {(p.allowed, p.reason) for p in ai_permissions(user=alice)} == {(False, "erasure_pending")}
    assert any("erase your data" in m.subject for m in mailoutbox)


def test_alice_cancels_during_the_grace_period_and_nothing_is_erased(
    recent_alice, alice, django_capture_on_commit_callbacks
):
    give_history(alice, marker="KEEP")
    ask_erasure(recent_alice, django_capture_on_commit_callbacks)
    erasure = PrivacyRequest.objects.get(user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        recent_alice.post(f"/requests/{erasure.pk}/cancel/")
    erasure.refresh_from_db()
    assert erasure.status == "cancelled"
    assert Conversation.objects.filter(customer=alice).count() == 2
    assert ai_permissions(user=alice)[0].reason == "default"
    run_erasure.apply(args=(erasure.pk,))  # a late message finds nothing to do
    assert User.objects.get(pk=alice.pk).is_active and not ErasureStep.objects.exists()


def test_staff_deny_with_a_reason_the_customer_sees_and_is_e_mailed(
    recent_alice, alice, officer, django_capture_on_commit_callbacks, mailoutbox
):
    ask_erasure(recent_alice, django_capture_on_commit_callbacks)
    erasure = PrivacyRequest.objects.get(user=alice)
    with pytest.raises(ValueError):
        services.request_deny(request=erasure, staff_user=officer, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_deny(request=erasure, staff_user=officer, reason="You have an open order we must deliver.")
    assert "You have an open order we must deliver." in recent_alice.get(f"/requests/{erasure.pk}/").content.decode()
    denied = [m for m in mailoutbox if "refused" in m.subject]
    assert denied and "You have an open order we must deliver." in denied[0].body
    run_erasure.apply(args=(erasure.pk,))
    assert User.objects.get(pk=alice.pk).is_active  # untouched


def test_after_approval_the_grace_period_is_a_timestamp_the_periodic_task_acts_on(
    recent_alice, alice, officer, django_capture_on_commit_callbacks
):
    ask_erasure(recent_alice, django_capture_on_commit_callbacks)
    erasure = PrivacyRequest.objects.get(user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve(request=erasure, staff_user=officer)
    erasure.refresh_from_db()
    assert erasure.status == "scheduled"
    assert start_due_erasures.delay().get() == 0  # not due yet
    PrivacyRequest.objects.update(scheduled_for=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert start_due_erasures.delay().get() == 1
    erasure.refresh_from_db()
    assert erasure.status == "completed"


def test_the_erasure_removes_the_customer_and_sends_a_receipt_to_the_captured_address(
    client, alice, bob, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.PORTAL_ERASURE_GRACE_DAYS = 0
    settings.PORTAL_APPROVAL_REQUIRED = {"export": False, "erasure": False}
    give_history(alice, marker="ALICE")
    give_history(bob, marker="BOB")
    other_device = Client()
    sign_in(other_device, alice.email)
    bob_counts = (
        Conversation.objects.filter(customer=bob).count(),
        Message.objects.filter(conversation__customer=bob).count(),
    )
    sign_in_recently(client, alice.email)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/requests/erasure/", {"confirmation": "erase my data"})
    erasure = PrivacyRequest.objects.get(kind="erasure")
    assert erasure.status == "completed", erasure.failure_detail
    alice = User.objects.get(pk=alice.pk)
    assert (alice.email.endswith("@erased.invalid"), alice.full_name, alice.phone, alice.is_active) == (
        True,
        "",
        "",
        False,
    )
    assert not alice.has_usable_password()
    assert not EmailAddress.objects.filter(user=alice).exists()
    assert not Conversation.objects.filter(customer=alice).exists()
    assert not UserSession.objects.filter(user=alice).exists()
    assert other_device.get("/dashboard/").status_code == 302  # every session signed out
    assert (erasure.receipt_email, erasure.subject_public_id) == ("", None)  # forgotten
    receipt = [m for m in mailoutbox if "receipt" in m.subject]
    assert len(receipt) == 1 and receipt[0].to == ["alice@example.com"]
    assert "Messages in your conversations" in receipt[0].body and "Kept, and why" in receipt[0].body
    # The receipt counts what was done, and names no kind only staff can have.
    messages_erased = ErasureStep.objects.get(request=erasure, source_key="interactions.message").rows
    assert messages_erased > 0 and f"Messages in your conversations: {messages_erased} messages" in receipt[0].body
    staff_only = [str(source.label) for source in registry.sources if source.staff_only]
    assert staff_only and not [label for label in staff_only if label in receipt[0].body]
    assert bob_counts == (
        Conversation.objects.filter(customer=bob).count(),
        Message.objects.filter(conversation__customer=bob).count(),
    )
    assert [s.status for s in ErasureStep.objects.filter(request=erasure)] == ["done"] * len(erasure_plan())


def test_an_erasure_completed_webhook_tells_downstream_systems(
    alice, settings, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    settings.PORTAL_WEBHOOK_MAX_ATTEMPTS = 1
    services.webhook_endpoint_create(name="CRM", url="http://127.0.0.1:9/x", events=["erasure.completed"])
    old_public_id = str(alice.public_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.erasure_request_create(user=alice, skip_grace=True)
    delivery = WebhookDelivery.objects.get(event="erasure.completed")
    assert delivery.payload["customer_id"] == old_public_id
    assert User.objects.get(pk=alice.pk).public_id != alice.public_id  # a fresh, unlinked ID


def test_running_the_task_three_times_gives_the_same_end_state(alice, django_capture_on_commit_callbacks, mailoutbox):
    give_history(alice, marker="X")
    with django_capture_on_commit_callbacks(execute=True):
        erasure = services.erasure_request_create(user=alice, skip_grace=True)
    state = lambda: (  # noqa: E731
        list(User.objects.filter(pk=alice.pk).values_list("email", "is_active", "public_id")),
        list(ErasureStep.objects.filter(request=erasure).values_list("source_key", "status", "rows")),
        PrivacyRequest.objects.get(pk=erasure.pk).status,
        len(mailoutbox),
    )
    first = state()
    run_erasure.apply(args=(erasure.pk,))
    run_erasure.apply(args=(erasure.pk,))
    assert state() == first


def test_a_killed_erasure_resumes_at_the_step_it_stopped(alice, monkeypatch, django_capture_on_commit_callbacks):
    give_history(alice, marker="X")
    monkeypatch.setattr(run_erasure, "delay", lambda *a: None)
    erasure = services.erasure_request_create(user=alice, skip_grace=True)
    services.erasure_claim(request_id=erasure.pk, task_id="dead")
    for step in erasure_steps_ensure(erasure)[:5]:  # the worker got this far, then died
        erasure_step_run(step=step, user=alice)
    done_at = {s.source_key: s.finished_at for s in ErasureStep.objects.filter(request=erasure, status="done")}
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        run_erasure.apply(args=(erasure.pk,), task_id="dead")  # its message, redelivered
    erasure.refresh_from_db()
    assert erasure.status == "completed"
    for key, finished_at in done_at.items():
        assert ErasureStep.objects.get(request=erasure, source_key=key).finished_at == finished_at  # not redone


def test_bob_cannot_see_cancel_or_trigger_alices_erasure(client, alice, bob, django_capture_on_commit_callbacks):
    erasure = services.erasure_request_create(user=alice)
    client.force_login(bob)
    assert client.get(f"/requests/{erasure.pk}/").status_code == 404
    assert client.post(f"/requests/{erasure.pk}/cancel/").status_code == 404
    erasure.refresh_from_db()
    assert erasure.status == "awaiting_approval"
    assert "Erasure of your data" not in client.get("/requests/").content.decode()


def test_staff_cannot_erase_themselves_through_the_portal(
    client, officer, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    sign_in_recently(client, officer.email)
    page = client.get("/requests/erasure/").content.decode()
    assert "Staff accounts cannot be erased from the portal" in page
    response = ask_erasure(client, django_capture_on_commit_callbacks)
    assert "Staff accounts cannot be erased" in client.get(response["Location"]).content.decode()
    assert not PrivacyRequest.objects.exists()


def test_only_one_open_erasure(recent_alice, alice, django_capture_on_commit_callbacks):
    ask_erasure(recent_alice, django_capture_on_commit_callbacks)
    response = ask_erasure(recent_alice, django_capture_on_commit_callbacks)
    assert "already asked us to erase" in recent_alice.get(response["Location"]).content.decode()
    assert PrivacyRequest.objects.filter(kind="erasure").count() == 1


def test_the_cli_erases_now_without_asking(alice, capsys):
    call_command("privacy", "erase", alice.email, "--now", "--yes")
    assert "completed" in capsys.readouterr().out
    assert not User.objects.get(pk=alice.pk).is_active


def test_the_consent_ledger_is_kept_as_proof(alice_client, alice, django_capture_on_commit_callbacks):
    alice_client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1})
    with django_capture_on_commit_callbacks(execute=True):
        services.erasure_request_create(user=alice, skip_grace=True)
    assert ConsentEvent.objects.filter(user_id=alice.pk).count() == 1


def test_a_german_customer_confirms_with_the_german_phrase_and_the_english_one_is_refused(
    recent_alice, alice, bob, django_capture_on_commit_callbacks
):
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    page = recent_alice.get("/requests/erasure/").content.decode()
    assert "Geben Sie zur Bestätigung „meine Daten löschen“ ein" in page
    assert 'name="shown_in" value="de"' in page

    refused = ask_erasure(recent_alice, django_capture_on_commit_callbacks, phrase="erase my data")
    assert refused.status_code == 200
    assert "Geben Sie zur Bestätigung genau „meine Daten löschen“ ein." in refused.content.decode()
    assert not PrivacyRequest.objects.exists()

    asked = ask_erasure(recent_alice, django_capture_on_commit_callbacks, phrase="  Meine  Daten LÖSCHEN ")
    assert asked.status_code == 302
    assert PrivacyRequest.objects.get().user == alice
    assert not PrivacyRequest.objects.filter(user=bob).exists()


def test_the_phrase_is_the_one_of_the_language_the_form_was_shown_in(
    recent_alice, alice, django_capture_on_commit_callbacks
):
    # Read in Spanish, sent after switching to German: the phrase she read counts.
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        asked = recent_alice.post("/requests/erasure/", {"confirmation": "suprimir mis datos", "shown_in": "es"})
    assert asked.status_code == 302
    assert PrivacyRequest.objects.filter(user=alice, kind="erasure").exists()


def test_a_language_the_portal_does_not_offer_falls_back_to_the_customers_own(recent_alice, alice):
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    refused = recent_alice.post("/requests/erasure/", {"confirmation": "erase my data", "shown_in": "xx"})
    assert refused.status_code == 200
    assert not PrivacyRequest.objects.exists()
