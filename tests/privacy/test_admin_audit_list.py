"""The audit trail as staff read it in the admin: newest first, who did what on what, in words."""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from privacy import selectors, services
from privacy.admin.audit import AuditEventAdmin
from privacy.audit_chain import audit_event_hash, audit_key
from privacy.audit_words import action_is_described, action_label, as_words
from privacy.models import AuditChainHead, AuditEvent, PrivacyRequest
from privacy.roles import PRIVACY_OFFICER
from privacy.services.requests import subject_reference
from tests.conftest import make_customer

LIST = "/admin/privacy/auditevent/"


def staff(email: str, full_name: str = "", role: str = PRIVACY_OFFICER) -> User:
    user = make_customer(email, full_name, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def officer(db, settings):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    return staff("officer@example.com", "Olivia Okafor")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def a_request(user: User) -> PrivacyRequest:
    return PrivacyRequest.objects.create(
        kind="export",
        status="awaiting_approval",
        user=user,
        subject_ref=subject_reference(user.pk),
        due_at=timezone.now() + timedelta(days=30),
    )


def rows(page: str) -> list[str]:
    """The change list's rows, as text without tags."""
    body = page[page.index('id="result_list"') :]
    found = re.findall(r"<tr[^>]*>(.*?)</tr>", body[body.index("<tbody>") :], re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in found]


def test_the_newest_event_comes_first(officer_client, alice):
    services.audit_record(
        action="request.submitted", actor_id=alice.pk, obj=a_request(alice), details={"kind": "export"}
    )
    services.audit_record(action="guidelines.published", details={"version": 7})
    listed = rows(officer_client.get(LIST).content.decode())
    assert "Staff guidelines published" in listed[0]
    assert "Request submitted" in listed[1]


def test_who_acted_is_a_staff_members_name_a_customer_the_portal_or_a_former_user(officer_client, officer, alice):
    unnamed = staff("no-name@example.com")
    gone = make_customer("gone@example.com")
    gone_id = gone.pk
    services.audit_record(action="request.submitted", actor_id=alice.pk, obj=a_request(alice))
    services.audit_record(action="request.assigned", actor_id=officer.pk, details={"assignee": officer.pk})
    services.audit_record(action="guidelines.acknowledged", actor_id=unnamed.pk, details={"version": 1})
    services.audit_record(action="request.processing", details={"kind": "export", "attempt": 1})
    services.audit_record(action="preference.always_human", actor_id=gone_id, details={"enabled": True})
    User.objects.filter(pk=gone_id).delete()

    listed = rows(officer_client.get(LIST).content.decode())
    assert f"a former user #{gone_id}" in listed[0]
    assert "the portal (automatic)" in listed[1]
    assert "no-name@example.com" in listed[2]  # staff without a name: their e-mail address
    assert "Olivia Okafor" in listed[3] and "Assigned to: Olivia Okafor" in listed[3]
    assert "a customer" in listed[4]
    assert "alice@example.com" not in " ".join(listed) and "Alice Archer" not in " ".join(listed)
    assert not any(re.search(r"\b\d{2,}\b.*\brequest\.", row) for row in listed)  # no raw action codes


def test_what_was_done_and_its_details_read_as_words(officer_client, officer, alice):
    request = a_request(alice)
    services.audit_record(
        action="request.denied",
        actor_id=officer.pk,
        obj=request,
        details={"kind": "export", "from": "awaiting_approval"},
    )
    services.audit_record(action="export.downloaded", actor_id=alice.pk, obj=request, details={"size": 2048})
    services.audit_record(action="api_client.created", details={"scopes": ["permissions:read", "consents:write"]})
    services.audit_record(action="something_new.was_done", details={"what_changed": False, "count": 3})
    page = officer_client.get(LIST).content.decode()
    listed = rows(page)
    assert "Something new was done" in listed[0] and "What changed: no" in listed[0] and "Count: 3" in listed[0]
    assert "API client created" in listed[1] and "Scopes: permissions:read, consents:write" in listed[1]
    assert "Export downloaded" in listed[2] and "Archive size: 2.0 KB" in listed[2]
    assert "Request denied" in listed[3]
    assert "Kind: export" in listed[3] and "Previous status: awaiting approval" in listed[3]
    assert f"Privacy request #{request.pk}" in listed[3]
    assert "{&quot;" not in page and "{'" not in page  # no dict printed as code


# Actions recorded under a code built at run time ("request.<status>").
BUILT_CODES = {f"request.{status}" for status in PrivacyRequest.Status.values} | {
    "staff.mfa_added",
    "staff.mfa_removed",
    "staff.mfa_recovery_codes_reset",
}


def recorded_codes() -> set[str]:
    """Every action code written out in the apps' code, and those built at run time."""
    root = Path(__file__).resolve().parents[2]
    found = set(BUILT_CODES)
    for app in ("accounts", "privacy", "interactions", "fairness", "portal"):
        for path in (root / app).rglob("*.py"):
            found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text()))
    return found


def test_every_action_the_portal_records_reads_in_words_of_its_own():
    codes = recorded_codes()
    assert {"request.denied", "staff.signed_in", "fairness.audit_completed", "export.downloaded"} <= codes
    assert not sorted(code for code in codes if not action_is_described(code))
    assert action_label("request.processing") == "Request job started"
    assert action_label("staff.mfa_recovery_codes_reset") == "New recovery codes generated"
    # Staff edits in the admin name the model ("ai_system.created"): its name reads as the model's.
    assert action_label("ai_system.created") == "AI system created"
    assert action_label("something_new.was_done") == as_words("something_new.was_done") == "Something new was done"


def test_the_object_links_to_its_page_only_for_staff_who_may_open_it(client, settings, alice):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    request = a_request(alice)
    services.audit_record(action="request.submitted", actor_id=alice.pk, obj=request)
    services.audit_record(action="preference.always_human", actor_id=alice.pk, obj=alice, details={"enabled": True})
    # Someone who may read the trail and nothing it points to.
    auditor = make_customer("auditor@example.com", "Avery Auditor", is_staff=True)
    auditor.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    client.force_login(auditor)
    page = client.get(LIST).content.decode()
    assert f"Privacy request #{request.pk}" in page and f"Customer account #{alice.pk}" in page
    assert f"/admin/privacy/privacyrequest/{request.pk}/change/" not in page
    assert f"/admin/accounts/user/{alice.pk}/change/" not in page

    client.force_login(staff("officer@example.com", "Olivia Okafor"))
    page = client.get(LIST).content.decode()
    assert f'href="/admin/privacy/privacyrequest/{request.pk}/change/"' in page
    assert f'href="/admin/accounts/user/{alice.pk}/change/"' in page


def test_an_object_no_longer_held_is_named_but_not_linked(officer_client, officer):
    services.audit_record(action="api_client.deleted", actor_id=officer.pk, obj=PrivacyRequest(pk=987654))
    page = officer_client.get(LIST).content.decode()
    assert "Privacy request #987654" in page
    assert "/admin/privacy/privacyrequest/987654/change/" not in page


def append_in_bulk(events: list[tuple[str, int | None, Model, dict[str, object]]]) -> None:
    """Append (action, actor_id, obj, details) events exactly as services.audit_record stores them, in one INSERT.

    The same fields, chained to the trail's head and sealed with the audit key,
    and the head moved on: the trail stays one that verifies. Recording each
    through the service costs a locked head row and four queries an event.
    """
    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    rows = []
    for action, actor_id, obj, details in events:
        sequence = head.last_sequence + 1
        fields: dict[str, Any] = {
            "prev_hash": head.last_hash,
            "sequence": sequence,
            "actor_id": actor_id,
            "action": action,
            "object_type": obj._meta.label_lower,
            "object_id": str(obj.pk),
            "details": details,
            "created_at": timezone.now(),
        }
        rows.append(AuditEvent(hash=audit_event_hash(key=audit_key(), **fields), **fields))
        head.last_sequence, head.last_hash = sequence, rows[-1].hash
    AuditEvent.objects.bulk_create(rows)
    head.save(update_fields=["last_sequence", "last_hash"])


def test_the_page_costs_the_same_queries_for_10_events_as_for_1000(officer_client, alice, bob, charlie, monkeypatch):
    monkeypatch.setattr(AuditEventAdmin, "list_max_show_all", 1000)  # all 1,000 on one page
    people = [alice, bob, charlie] + [make_customer(f"c{n}@example.com") for n in range(20)]
    staffers = [staff(f"s{n}@example.com", f"Staff {n}") for n in range(10)]
    request = a_request(alice)

    def events(count: int) -> list[tuple[str, int | None, Model, dict[str, object]]]:
        """Many actors (customers, staff, the portal), two kinds of object, staff and customers in the details."""
        made: list[tuple[str, int | None, Model, dict[str, object]]] = []
        for n in range(count):
            actor = (people + staffers)[n % (len(people) + len(staffers))]
            made.append(
                (
                    "request.assigned" if n % 2 else "preference.changed",
                    None if n % 7 == 0 else actor.pk,
                    request if n % 2 else alice,
                    {"assignee": staffers[n % len(staffers)].pk, "customer": actor.pk, "allowed": True},
                )
            )
        return made

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = officer_client.get(LIST + "?all=")
        assert response.status_code == 200
        return len(captured.captured_queries), response.content.decode()

    officer_client.get(LIST)  # the session's first request records it; later ones only touch it
    for action, actor_id, obj, details in events(10):  # the first ten through the service itself
        services.audit_record(action=action, actor_id=actor_id, obj=obj, details=details)
    with_10, _ = queries()
    append_in_bulk(events(990))
    assert AuditEvent.objects.count() == 1000
    assert not selectors.audit_trail_verify().problems  # the bulk rows are the service's rows
    with_1000, page = queries()
    assert with_1000 == with_10
    assert page.count("<tr") == 1001  # a header and 1,000 rows


def test_describing_events_costs_a_fixed_number_of_queries(db, alice):
    staffers = [staff(f"s{n}@example.com", f"Staff {n}") for n in range(30)]
    for n in range(300):
        services.audit_record(
            action="request.assigned",
            actor_id=staffers[n % 30].pk,
            obj=alice,
            details={"assignee": staffers[(n + 1) % 30].pk},
        )
    events = list(AuditEvent.objects.order_by("-sequence"))
    with CaptureQueriesContext(connection) as few:
        selectors.audit_events_in_words(events[:10])
    with CaptureQueriesContext(connection) as many:
        described = selectors.audit_events_in_words(events)
    assert len(many.captured_queries) == len(few.captured_queries) <= 2
    assert described[0].who.startswith("Staff ")


def test_the_events_page_reads_in_words_with_the_raw_record_folded_away(officer_client, officer, alice):
    event = services.audit_record(
        action="request.extended", actor_id=officer.pk, obj=a_request(alice), details={"days": 30}
    )
    page = officer_client.get(f"/admin/privacy/auditevent/{event.pk}/change/").content.decode()
    assert "Deadline extended" in page and "Olivia Okafor" in page and "Extended by: 30 days" in page
    # For investigators: the stored values, in a fold that is closed until opened.
    fold = page[page.index("<details") : page.index("</details>")]
    assert event.hash in fold and event.prev_hash in fold and f">{officer.pk}<" in fold.replace(" ", "")
    assert "request.extended" in fold


def test_the_trail_stays_read_only_in_the_admin(officer_client, officer, alice):
    event = services.audit_record(action="request.submitted", actor_id=alice.pk, obj=a_request(alice))
    admin_page = f"/admin/privacy/auditevent/{event.pk}/"
    assert officer_client.post(admin_page + "change/", {"action": "x"}).status_code == 403
    assert officer_client.post(admin_page + "delete/", {"post": "yes"}).status_code == 403
    assert officer_client.get("/admin/privacy/auditevent/add/").status_code == 403
    event.refresh_from_db()
    assert event.action == "request.submitted"


def test_a_page_of_the_trail_costs_the_same_queries_at_10_and_10_000_events(officer_client, alice, bob):
    request = a_request(alice)
    for n in range(10):
        services.audit_record(
            action="request.assigned" if n % 2 else "preference.changed",
            actor_id=(alice if n % 3 else bob).pk,
            obj=request if n % 2 else alice,
            details={"customer": alice.pk, "allowed": True},
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert officer_client.get(LIST).status_code == 200
        return len(captured.captured_queries)

    officer_client.get(LIST)
    with_10 = queries()
    # 9,990 more, inserted in bulk: the list reads events, it does not verify the
    # chain (tests/privacy/test_audit_trail.py does), and recording each through
    # the service would take minutes.
    last = AuditEvent.objects.latest("sequence")
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action="request.assigned" if n % 2 else "preference.changed",
            actor_id=(alice if n % 3 else bob).pk,
            object_type=last.object_type if n % 2 else "accounts.user",
            object_id=str(request.pk if n % 2 else alice.pk),
            details={"customer": alice.pk, "allowed": True},
            created_at=last.created_at,
            sequence=last.sequence + 1 + n,
            prev_hash=f"{n:064x}",
            hash=f"{n + 1:064x}",
        )
        for n in range(9_990)
    )
    assert AuditEvent.objects.count() == 10_000
    assert queries() == with_10


def test_the_filters_list_each_action_and_kind_of_record_the_trail_holds_once(officer_client, alice, bob):
    request = a_request(alice)
    for action, obj in [("request.assigned", request), ("preference.changed", alice), ("request.assigned", request)]:
        services.audit_record(action=action, actor_id=bob.pk, obj=obj, details={})
    services.audit_record(action="audit.checkpoint_written", actor_id=None, obj=None, details={})
    assert selectors.audit_actions_recorded() == sorted(set(AuditEvent.objects.values_list("action", flat=True)))
    assert "" not in selectors.audit_object_types_recorded()
    assert set(selectors.audit_object_types_recorded()) == set(
        AuditEvent.objects.exclude(object_type="").values_list("object_type", flat=True)
    )
    page = officer_client.get(LIST).content.decode()
    assert page.count("?action=request.assigned") == 1
