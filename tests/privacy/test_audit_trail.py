import hashlib
import importlib
import itertools
import json
import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from privacy import services
from privacy.models import AppendOnlyError, AuditChainHead, AuditEvent, PrivacyRequest
from privacy.services import AuditTrailTampered
from privacy.tasks import write_audit_checkpoint
from tests.conftest import make_customer, sign_in

GENESIS = "0" * 64


def verify() -> str:
    out = StringIO()
    call_command("privacy", "verify-audit", stdout=out)
    return out.getvalue()


@pytest.fixture
def some_events(alice_client, alice, django_capture_on_commit_callbacks):
    alice_client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1})
    with django_capture_on_commit_callbacks(execute=True):
        services.export_request_create(user=alice)
    client, _ = services.api_client_create(name="CRM", scopes=["permissions:read"])
    services.api_client_revoke(client=client)
    return list(AuditEvent.objects.order_by("sequence"))


def tamper(sql: str, params: list[Any]) -> None:
    """What someone with full control of the database could do: switch the
    append-only triggers off, change the rows, switch them on again."""
    triggers = importlib.import_module("privacy.migrations.0009_roles_and_audit_trigger")

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The table's owner may switch off every trigger of its own (USER: not the system's).
            cursor.execute("ALTER TABLE privacy_auditevent DISABLE TRIGGER USER")
        else:
            for statement in triggers.SQLITE_DROP:
                cursor.execute(statement)
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE privacy_auditevent ENABLE TRIGGER USER")
        else:
            for statement in triggers.SQLITE_SQL:
                cursor.execute(statement)


def plain_hash(prev_hash: str, event: AuditEvent) -> str:
    """An event's hash as the trail computed it before it was keyed: SHA-256
    of what the row shows, so anyone who can read the code can recompute it."""
    body = json.dumps(
        [
            event.sequence,
            event.actor_id,
            event.action,
            event.object_type,
            event.object_id,
            event.details,
            event.created_at.isoformat(),
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def rehash_from(events: list[AuditEvent], start: int, *, actor_id: int | None) -> None:
    """Issue 12's attack: make someone else the actor of events[start], then
    recompute every plain hash from there on so each link holds again."""
    prev_hash = events[start - 1].hash if start else GENESIS
    for position, event in enumerate(events[start:]):
        if position == 0:
            event.actor_id = actor_id
        event.prev_hash, event.hash = prev_hash, plain_hash(prev_hash, event)
        tamper(
            "UPDATE privacy_auditevent SET actor_id = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.actor_id, event.prev_hash, event.hash, event.pk],
        )
        prev_hash = event.hash


def move_head(last: AuditEvent | None) -> None:
    """The chain head is an ordinary row: whoever writes the database moves it too."""
    with connection.cursor() as cursor:
        if last is None:
            cursor.execute("DELETE FROM privacy_auditchainhead")
        else:
            cursor.execute(
                "UPDATE privacy_auditchainhead SET last_sequence = %s, last_hash = %s", [last.sequence, last.hash]
            )


def cut_off_after(events: list[AuditEvent], keep: int) -> None:
    """Delete every event after the first `keep` and move the head back, so the
    shorter trail looks whole."""
    tamper("DELETE FROM privacy_auditevent WHERE sequence > %s", [keep])
    move_head(events[keep - 1] if keep else None)


def test_every_change_is_recorded_and_the_chain_verifies(some_events):
    actions = [e.action for e in some_events]
    for expected in (
        "preference.changed",
        "request.submitted",
        "request.processing",
        "request.completed",
        "api_client.created",
        "api_client.revoked",
    ):
        assert expected in actions
    assert [e.sequence for e in some_events] == list(range(1, len(some_events) + 1))
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(some_events))
    assert "Audit trail intact" in verify()


def test_the_trail_holds_no_personal_data(some_events, alice):
    text = json.dumps([[e.action, e.object_type, e.object_id, e.details] for e in some_events])
    assert alice.email not in text and alice.full_name not in text


def test_editing_a_row_in_sql_makes_verify_audit_fail_naming_the_row(some_events):
    victim = some_events[2]
    tamper("UPDATE privacy_auditevent SET details = %s WHERE id = %s", ['{"kind": "forged"}', victim.pk])
    with pytest.raises(CommandError, match=f"event #{victim.sequence} \\(id {victim.pk}"):
        verify()


def test_deleting_a_row_in_sql_makes_verify_audit_fail_naming_the_gap(some_events):
    victim = some_events[1]
    tamper("DELETE FROM privacy_auditevent WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=f"event #{some_events[2].sequence}"):
        verify()


def test_deleting_the_last_row_is_noticed_too(some_events):
    tamper("DELETE FROM privacy_auditevent WHERE id = %s", [some_events[-1].pk])
    with pytest.raises(CommandError, match=f"event #{some_events[-1].sequence} \\(missing\\)"):
        verify()


def test_the_model_refuses_updates_and_deletes(some_events):
    event = some_events[0]
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_the_database_itself_refuses_updates_and_on_postgresql_deletes_and_truncation(some_events):
    statements = ["UPDATE privacy_auditevent SET action = 'x'"]
    if connection.vendor == "postgresql":  # SQLite keeps DELETE for emptying test databases, and has no TRUNCATE
        statements += ["DELETE FROM privacy_auditevent", "TRUNCATE privacy_auditevent"]
    for sql in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


def test_bulk_updates_and_deletes_through_the_orm_are_refused(some_events):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=some_events[0].pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_a_staff_sign_in_is_recorded_and_a_customers_is_not(client, client_factory, alice):
    officer = make_customer("officer@example.com", is_staff=True)
    sign_in(client, alice.email)
    sign_in(client_factory(), officer.email)
    assert list(AuditEvent.objects.filter(action="staff.signed_in").values_list("actor_id", flat=True)) == [officer.pk]


def test_the_audit_trail_is_read_only_in_the_admin(client, settings, some_events):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    admin_user = make_customer("root@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    assert client.get("/admin/privacy/auditevent/").status_code == 200
    assert client.get("/admin/privacy/auditevent/add/").status_code == 403
    page = client.get(f"/admin/privacy/auditevent/{some_events[0].pk}/change/").content.decode()
    assert 'name="action"' not in page
    assert client.post(f"/admin/privacy/auditevent/{some_events[0].pk}/delete/", {"post": "yes"}).status_code == 403


def test_making_a_support_agent_the_approver_and_recomputing_every_hash_is_caught(some_events):
    officer = make_customer("officer@example.com", is_staff=True)
    agent = make_customer("agent@example.com", is_staff=True)
    request = PrivacyRequest.objects.get()
    services.audit_record(action="request.approved", actor_id=officer.pk, obj=request)
    services.audit_record(action="request.processing", obj=request)
    events = list(AuditEvent.objects.order_by("sequence"))
    approval = events[-2]

    rehash_from(events, len(events) - 2, actor_id=agent.pk)
    move_head(events[-1])

    assert AuditEvent.objects.get(pk=approval.pk).actor_id == agent.pk
    with pytest.raises(CommandError, match=f"event #{approval.sequence} \\(id {approval.pk}, request.approved"):
        verify()


def test_rewriting_the_whole_trail_with_plain_hashes_is_caught(some_events):
    rehash_from(some_events, 0, actor_id=None)
    move_head(some_events[-1])
    with pytest.raises(CommandError, match="audit key"):
        verify()


def test_verifying_with_another_key_says_the_key_may_be_the_cause(some_events, settings):
    settings.PORTAL_AUDIT_KEY = "another-key-that-never-wrote-this-trail-0123456789"
    with pytest.raises(CommandError, match=r"event #1 .*AUDIT_KEY"):
        verify()


# --- Checkpoints: the head, signed, outside the database ----------------------


def checkpoint() -> str | None:
    """What beat runs every AUDIT_CHECKPOINT_SECONDS."""
    return write_audit_checkpoint.delay().get()


def stored_checkpoints() -> list[str]:
    return sorted(storages["audit_checkpoints"].listdir("")[1])


def test_beat_writes_a_checkpoint_as_a_new_object_each_time_the_trail_grew(some_events, settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["privacy.tasks.write_audit_checkpoint"] == settings.PORTAL_AUDIT_CHECKPOINT_SECONDS

    first = checkpoint()
    assert first is not None and checkpoint() is None  # nothing new, nothing written
    with storages["audit_checkpoints"].open(first) as stored:
        first_content = stored.read()
    assert json.loads(first_content)["sequence"] == some_events[-1].sequence
    assert json.loads(first_content)["hash"] == some_events[-1].hash

    services.audit_record(action="api_client.created")
    second = checkpoint()
    assert second is not None and stored_checkpoints() == sorted([first, second])
    with storages["audit_checkpoints"].open(first) as stored:
        assert stored.read() == first_content  # history is kept, never overwritten
    assert "2 checkpoints" in verify()


def test_cutting_events_off_the_end_after_a_checkpoint_is_caught(some_events):
    name = checkpoint()
    cut_off_after(some_events, keep=len(some_events) - 2)
    with pytest.raises(CommandError, match=f"event #{some_events[-1].sequence} \\(missing\\).*{re.escape(str(name))}"):
        verify()


def test_emptying_the_whole_trail_after_a_checkpoint_is_caught(some_events):
    checkpoint()
    tamper("TRUNCATE privacy_auditevent" if connection.vendor == "postgresql" else "DELETE FROM privacy_auditevent", [])
    move_head(None)
    assert AuditEvent.objects.count() == 0
    with pytest.raises(CommandError, match=f"event #{some_events[-1].sequence} \\(missing\\)"):
        verify()


def test_a_rollback_that_new_events_outgrow_is_caught_at_the_checkpointed_event(some_events):
    name = checkpoint()
    cut_off_after(some_events, keep=len(some_events) - 2)
    for _ in range(3):  # the portal goes on appending, with the real key, after the rollback
        services.audit_record(action="api_client.created")
    last = some_events[-1]
    assert AuditEvent.objects.get(sequence=last.sequence).hash != last.hash
    with pytest.raises(
        CommandError,
        match=f"event #{last.sequence} \\(id \\d+, api_client.created\\) differs from {re.escape(str(name))}",
    ):
        verify()


def test_a_forged_checkpoint_is_reported_and_not_trusted(some_events):
    name = checkpoint()
    with storages["audit_checkpoints"].open(str(name)) as stored:
        document = json.loads(stored.read())
    document["sequence"] += 100  # claims events that never were, to make the trail look cut short
    forged = storages["audit_checkpoints"].save("checkpoint-forged.json", ContentFile(json.dumps(document).encode()))
    with pytest.raises(CommandError, match=f"{re.escape(forged)}: its signature does not verify") as caught:
        verify()
    assert "(missing)" not in str(caught.value)


def test_the_checkpoint_task_refuses_to_sign_a_trail_cut_short_and_alerts_the_privacy_team(
    some_events, django_capture_on_commit_callbacks, mailoutbox
):
    checkpoint()
    cut_off_after(some_events, keep=len(some_events) - 2)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AuditTrailTampered):
        checkpoint()
    assert len(stored_checkpoints()) == 1
    alert = next(m for m in mailoutbox if m.to == ["privacy-team@localhost"] and "audit trail" in m.subject.lower())
    assert f"#{some_events[-1].sequence}" in alert.body


def test_the_tamper_alert_goes_out_once_a_day_not_on_every_beat_run(
    some_events, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    checkpoint()
    cut_off_after(some_events, keep=len(some_events) - 2)

    def alerts() -> int:
        return sum("tampered" in m.subject for m in mailoutbox)

    for _ in range(3):  # beat runs the task every few minutes
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(AuditTrailTampered):
            checkpoint()
    assert alerts() == 1
    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AuditTrailTampered):
        checkpoint()
    assert alerts() == 2
    # The notes are kept apart from the checkpoints: none of them is read as a (forged) checkpoint.
    assert len(stored_checkpoints()) == 1


# --- A trail written before the key -------------------------------------------


def plain_trail(length: int) -> list[AuditEvent]:
    """Events as the portal wrote them before the trail was keyed."""
    prev_hash, events = GENESIS, []
    for sequence in range(1, length + 1):
        event = AuditEvent(
            sequence=sequence,
            action="request.submitted",
            object_type="privacy.privacyrequest",
            object_id=str(sequence),
            details={"kind": "export"},
            created_at=timezone.now(),
            prev_hash=prev_hash,
        )
        event.hash = plain_hash(prev_hash, event)
        event.save()
        events.append(event)
        prev_hash = event.hash
    AuditChainHead.objects.create(pk=1, last_sequence=length, last_hash=prev_hash)
    return events


def seal_plain_trail() -> None:
    """The data migration that upgrades an existing trail, run as migrate runs it."""
    migration = importlib.import_module("privacy.migrations.0013_audit_key_and_no_truncate")
    migration.seal_plain_trail(django_apps, connection.schema_editor())


def test_a_trail_hashed_before_the_key_is_sealed_once_and_verifies(db):
    events = plain_trail(4)
    seal_plain_trail()
    seal_plain_trail()  # a trail that ends in a keyed event needs no second seal
    sealed = AuditEvent.objects.order_by("sequence")[4:]
    assert [(e.sequence, e.action, e.prev_hash) for e in sealed] == [(5, "audit.sealed", events[-1].hash)]
    assert "Audit trail intact: 5 events" in verify()
    assert services.audit_record(action="api_client.created").prev_hash == sealed[0].hash


def test_once_sealed_the_older_events_cannot_be_rewritten_with_plain_hashes(db):
    events = plain_trail(4)
    seal_plain_trail()
    seal = AuditEvent.objects.get(action="audit.sealed")
    rehash_from(events, 1, actor_id=999)  # every older link holds again; the seal's cannot be recomputed
    with pytest.raises(CommandError, match=f"event #{seal.sequence} \\(id {seal.pk}, audit.sealed"):
        verify()


def test_an_empty_trail_needs_no_seal(db):
    seal_plain_trail()
    assert not AuditEvent.objects.exists()


# --- The database role the README recommends ------------------------------------


@pytest.mark.postgresql
def test_a_portal_role_that_owns_nothing_appends_events_but_cannot_switch_the_triggers_off(some_events):
    with connection.cursor() as cursor:
        # The README's grants (inside this test's transaction: rolled back after it).
        cursor.execute("CREATE ROLE portal_app_test NOLOGIN")
        cursor.execute("GRANT USAGE ON SCHEMA public TO portal_app_test")
        cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_app_test")
        cursor.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portal_app_test")
        cursor.execute("SET ROLE portal_app_test")
    try:
        event = services.audit_record(action="api_client.created")
        assert event.sequence == some_events[-1].sequence + 1
        for sql in (
            "ALTER TABLE privacy_auditevent DISABLE TRIGGER USER",
            "DROP TRIGGER privacy_auditevent_append_only ON privacy_auditevent",
            "TRUNCATE privacy_auditevent",
            "DELETE FROM privacy_auditevent",
            "UPDATE privacy_auditevent SET actor_id = 1",
        ):
            with (
                pytest.raises(DatabaseError, match=r"owner|permission denied|append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert "Audit trail intact" in verify()
