from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from privacy import selectors, services
from privacy.models import HumanReviewRequest, PrivacyRequest, StaffGuidelines
from privacy.registry import registry
from privacy.services.requests import subject_reference
from tests.conftest import make_customer
from tests.factories import ConversationFactory

CHANGELIST = "/admin/privacy/privacyrequest/"


@pytest.fixture(autouse=True)
def no_mfa_in_these_tests(settings):
    settings.PORTAL_STAFF_REQUIRE_MFA = False  # the MFA gate has tests of its own


def erasure_for(user, **fields):
    return PrivacyRequest.objects.create(
        kind="erasure",
        status=fields.pop("status", "awaiting_approval"),
        user=user,
        subject_ref=subject_reference(user.pk),
        due_at=fields.pop("due_at", timezone.now() + timedelta(days=30)),
        scheduled_for=timezone.now() + timedelta(days=14),
        **fields,
    )


def act(client, action, request_ids, **data):
    """Run a bulk action from the queue; `data` fills the decision's form (its fields carry its name)."""
    fields = {f"{action}-{name}": value for name, value in data.items()}
    return client.post(CHANGELIST, {"action": action, "_selected_action": request_ids, **fields}, follow=True)


def test_an_officer_approves_and_a_support_agent_cannot(client, officer, agent, alice):
    erasure = erasure_for(alice)
    client.force_login(agent)
    assert client.get(CHANGELIST).status_code == 403  # agents answer reviews; requests are not their work
    act(client, "approve", [erasure.pk])
    erasure.refresh_from_db()
    assert erasure.status == "awaiting_approval"
    client.force_login(officer)
    response = act(client, "approve", [erasure.pk])
    erasure.refresh_from_db()
    assert erasure.status == "scheduled" and erasure.decided_by == officer
    assert "approved" in response.content.decode()


def test_the_support_agent_answers_human_reviews_and_cannot_decide_requests(client, agent, alice, mailoutbox):
    conversation = ConversationFactory.create(customer=alice)
    review = services.human_review_request(
        user=alice,
        source=registry.source("interactions.conversation"),
        row=conversation,
        statement="Check please",
        contests_outcome=True,
    )
    client.force_login(agent)
    client.post(f"/admin/privacy/humanreviewrequest/{review.pk}/change/", {"result": "upheld", "answer": "Checked."})
    review.refresh_from_db()
    assert review.status == "answered"
    erasure = erasure_for(alice)
    act(client, "deny", [erasure.pk], reason="no")
    assert PrivacyRequest.objects.get(pk=erasure.pk).status == "awaiting_approval"


def test_deny_asks_for_a_reason_and_refuses_without_one(client, officer, alice):
    erasure = erasure_for(alice)
    client.force_login(officer)
    form_page = act(client, "deny", [erasure.pk])
    assert "Reason in English (the customer reads this)" in form_page.content.decode()
    act(client, "deny", [erasure.pk], reason="")
    assert PrivacyRequest.objects.get(pk=erasure.pk).status == "awaiting_approval"
    act(client, "deny", [erasure.pk], reason="An open order must be delivered first.")
    erasure.refresh_from_db()
    assert (erasure.status, erasure.denial_reason) == ("denied", "An open order must be delivered first.")


def test_extend_moves_the_due_date_once_and_tells_the_customer(
    client, officer, alice, mailoutbox, django_capture_on_commit_callbacks
):
    erasure = erasure_for(alice)
    due = erasure.due_at
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        act(client, "extend", [erasure.pk], days=45, reason="Your history is spread over three systems.")
    erasure.refresh_from_db()
    assert erasure.due_at == due + timedelta(days=45)
    assert any("more time" in m.subject and "three systems" in m.body for m in mailoutbox)
    response = act(client, "extend", [erasure.pk], days=10, reason="Again")
    erasure.refresh_from_db()
    assert erasure.due_at == due + timedelta(days=45)
    assert "extended once already" in response.content.decode()
    with pytest.raises(ValueError):
        services.request_extend(
            request=erasure_for(make_customer("dana@example.com")), staff_user=officer, days=61, reason="x"
        )


def test_a_decision_that_does_not_apply_is_set_aside_with_the_reason_before_anything_is_asked(client, officer, alice):
    done = erasure_for(alice, status="completed")
    client.force_login(officer)
    response = act(client, "approve", [done.pk])
    assert (
        f"Left alone, as “approve” does not apply to them: Erasure #{done.pk} (completed)." in response.content.decode()
    )
    assert PrivacyRequest.objects.get(pk=done.pk).status == "completed"
    # Deny needs a reason: for a request that cannot be denied it is never asked for.
    response = act(client, "deny", [done.pk])
    html = response.content.decode()
    assert f"Left alone, as “deny” does not apply to them: Erasure #{done.pk} (completed)." in html
    assert 'name="deny-reason"' not in html


def test_the_state_machine_refuses_in_staff_words(officer, alice):
    done = erasure_for(alice, status="completed")
    with pytest.raises(services.IllegalTransition) as refusal:
        services.request_approve(request=done, staff_user=officer)
    assert str(refusal.value) == f"Erasure #{done.pk} is completed, so it cannot be approved"


def test_retry_puts_a_failed_export_back_in_the_queue(client, officer, alice, django_capture_on_commit_callbacks):
    export = PrivacyRequest.objects.create(
        kind="export",
        status="failed",
        user=alice,
        subject_ref="x",
        due_at=timezone.now() + timedelta(days=30),
        failure_reason="x",
    )
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        act(client, "retry", [export.pk])
    export.refresh_from_db()
    assert export.status == "completed" and export.archive.size > 0


def test_assign_to_me(client, officer, alice):
    erasure = erasure_for(alice)
    client.force_login(officer)
    act(client, "assign_to_me", [erasure.pk])
    assert PrivacyRequest.objects.get(pk=erasure.pk).assignee == officer


def test_staff_who_have_not_acknowledged_the_current_guidelines_are_stopped(client, officer, alice):
    StaffGuidelines.objects.create(version=1, text="Be fair.")
    erasure = erasure_for(alice)
    client.force_login(officer)
    response = act(client, "approve", [erasure.pk])
    assert "acknowledge the current AI ethics and privacy guidelines" in response.content.decode()
    assert PrivacyRequest.objects.get(pk=erasure.pk).status == "awaiting_approval"
    with pytest.raises(services.GuidelinesNotAcknowledged):
        services.human_review_answer(review=HumanReviewRequest(pk=0), answer="x", staff_user=officer, result="upheld")
    client.post("/admin/privacy/privacyrequest/guidelines/acknowledge/")
    act(client, "approve", [erasure.pk])
    assert PrivacyRequest.objects.get(pk=erasure.pk).status == "scheduled"
    # A new version: everyone acknowledges again.
    services.guidelines_publish(text="Be fair, and kind.", staff_user=officer)
    assert not selectors.staff_acknowledged_current_guidelines(officer)
    assert StaffGuidelines.objects.get(version=1).acknowledgements.count() == 1


def test_the_list_shows_days_left_overdue_and_filters(client, officer, alice, bob):
    late = erasure_for(alice, due_at=timezone.now() - timedelta(days=3))
    soon = erasure_for(bob, due_at=timezone.now() + timedelta(days=5))
    client.force_login(officer)
    html = client.get(CHANGELIST).content.decode()
    assert "3 days overdue" in html
    overdue = client.get(CHANGELIST + "?deadline=overdue").context["cl"].result_list
    week = client.get(CHANGELIST + "?deadline=week").context["cl"].result_list
    assert [r.pk for r in overdue] == [late.pk] and [r.pk for r in week] == [soon.pk]
    found = client.get(CHANGELIST + "?q=bob@example.com").context["cl"].result_list
    assert [r.pk for r in found] == [soon.pk]


def test_an_erased_customer_appears_by_pseudonymous_reference(
    client, officer, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        erasure = services.erasure_request_create(user=alice, skip_grace=True)
    client.force_login(officer)
    html = client.get(CHANGELIST).content.decode()
    assert f"erased · ref {erasure.subject_ref[:10]}" in html and "alice@example.com" not in html


def test_the_detail_page_shows_the_timeline_from_the_audit_trail(
    client, officer, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        erasure = services.erasure_request_create(user=alice, skip_grace=True)
    client.force_login(officer)
    html = client.get(f"{CHANGELIST}{erasure.pk}/change/").content.decode()
    timeline = html[html.index("Timeline (from the audit trail)") :]
    # In words, oldest first, with who acted: the customer asked, the portal did the rest.
    said = [timeline.index(words) for words in ("Request submitted", "Request job started", "Request completed")]
    assert said == sorted(said)
    assert "a customer" in timeline and "the portal (automatic)" in timeline
    assert "request.submitted" not in timeline and "{&#x27;" not in timeline


def test_nobody_can_delete_a_request(client, officer, alice):
    erasure = erasure_for(alice)
    client.force_login(officer)
    assert client.post(f"{CHANGELIST}{erasure.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PrivacyRequest.objects.filter(pk=erasure.pk).exists()


def list_queries(client) -> list[str]:
    client.get(CHANGELIST)  # the first request of a session also records the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(CHANGELIST).status_code == 200
    return [q["sql"] for q in captured]


@pytest.mark.slow
def test_the_request_list_query_count_is_the_same_for_10_and_10_000_requests(client, officer):
    customers = [make_customer(f"c{i}@example.com") for i in range(10)]
    for customer in customers:
        erasure_for(customer, status="completed")
    client.force_login(officer)
    few = list_queries(client)
    PrivacyRequest.objects.bulk_create(
        PrivacyRequest(
            kind="export",
            status="completed",
            user=customers[i % 10],
            subject_ref="x",
            due_at=timezone.now() + timedelta(days=i % 40 - 10),
            assignee=officer,
        )
        for i in range(9_990)
    )
    assert PrivacyRequest.objects.count() == 10_000
    many = list_queries(client)
    assert len(many) == len(few), "\n".join(q for q in many if q not in few)


@pytest.mark.postgresql
def test_the_queue_reads_its_first_page_from_an_index_not_by_sorting_every_request(client, officer, alice, bob):
    erasure_for(alice)
    erasure_for(bob, status="completed")
    client.force_login(officer)
    (page_query,) = [sql for sql in list_queries(client) if "ORDER BY CASE WHEN" in sql]
    with connection.cursor() as cursor:
        # A handful of rows: forbid the planner its cheaper choices, to see whether the index can serve the order at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute(f"EXPLAIN {page_query}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "privacy_request_queue_idx" in plan, plan
    assert "Sort" not in plan, plan


def test_the_queue_index_holds_the_statuses_waiting_for_staff():
    import importlib

    index = importlib.import_module("privacy.migrations.0020_request_queue_index").QUEUE_INDEX
    waiting_first = index.expressions[0]
    (when,) = waiting_first.expression.cases
    (_, statuses) = when.condition.children[0]
    assert set(statuses) == set(PrivacyRequest.NEEDS_STAFF_STATUSES)
