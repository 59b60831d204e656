import importlib
import itertools
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from privacy import services
from privacy.models import AppendOnlyError, AuditEvent
from tests.conftest import make_customer, sign_in


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
            cursor.execute("ALTER TABLE privacy_auditevent DISABLE TRIGGER privacy_auditevent_append_only")
        else:
            for statement in triggers.SQLITE_DROP:
                cursor.execute(statement)
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE privacy_auditevent ENABLE TRIGGER privacy_auditevent_append_only")
        else:
            for statement in triggers.SQLITE_SQL:
                cursor.execute(statement)


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


def test_the_database_itself_refuses_updates_and_on_postgresql_deletes(some_events):
    from django.db import DatabaseError

    statements = ["UPDATE privacy_auditevent SET action = 'x'"]
    if connection.vendor == "postgresql":  # SQLite keeps DELETE for emptying test databases
        statements.append("DELETE FROM privacy_auditevent")
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
