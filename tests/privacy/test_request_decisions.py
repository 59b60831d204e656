"""The request's own page on the staff desk: the decisions its state allows, each one working from there."""

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy.models import AuditEvent, PrivacyRequest, StaffGuidelines
from tests.conftest import make_customer
from tests.privacy.test_request_desk import CHANGELIST, erasure_for

pytestmark = pytest.mark.usefixtures("no_mfa")


@pytest.fixture
def no_mfa(settings):
    settings.PORTAL_STAFF_REQUIRE_MFA = False  # the MFA gate has tests of its own


def page(client, privacy_request):
    response = client.get(f"{CHANGELIST}{privacy_request.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def decide(client, privacy_request, name, **data):
    """Post a decision from the request's page; `data` fills its form (the fields carry the decision's name)."""
    fields = {f"{name}-{field}": value for field, value in data.items()}
    return client.post(f"{CHANGELIST}{privacy_request.pk}/{name}/", fields, follow=True)


def offered(html):
    """The decisions the page offers, by the URL their forms post to."""
    names = ("approve", "deny", "extend", "retry", "assign")
    return {name for name in names if f'/{name}/"' in html}


def test_a_request_awaiting_approval_offers_approve_deny_extend_and_assign(client, officer, alice):
    erasure = erasure_for(alice)
    client.force_login(officer)
    assert offered(page(client, erasure)) == {"approve", "deny", "extend", "assign"}


@pytest.mark.parametrize(
    ("status", "decisions"),
    [
        ("completed", set()),
        ("denied", set()),
        # A failed job waits for staff while its deadline runs: retry, extend, take it on.
        ("failed", {"retry", "extend", "assign"}),
        ("scheduled", {"deny", "extend", "assign"}),
        ("processing", {"extend", "assign"}),
    ],
)
def test_only_the_decisions_the_state_allows_are_offered(client, officer, alice, status, decisions):
    privacy_request = erasure_for(alice, status=status)
    client.force_login(officer)
    html = page(client, privacy_request)
    assert offered(html) == decisions
    if not decisions:
        assert "Nothing is left to decide" in html


def test_an_extended_request_is_not_offered_another_extension(client, officer, alice):
    erasure = erasure_for(alice, extended_at=timezone.now())
    client.force_login(officer)
    assert "extend" not in offered(page(client, erasure))


def test_the_page_has_no_save_button_and_a_post_to_it_changes_nothing(client, officer, alice):
    erasure = erasure_for(alice)
    client.force_login(officer)
    html = page(client, erasure)
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    response = client.post(f"{CHANGELIST}{erasure.pk}/change/", {"status": "completed", "denial_reason": "x"})
    assert response.status_code == 403
    erasure.refresh_from_db()
    assert (erasure.status, erasure.denial_reason) == ("awaiting_approval", "")


def test_approve_from_the_page_schedules_the_erasure_and_returns_to_the_page(client, officer, alice):
    erasure = erasure_for(alice)
    client.force_login(officer)
    response = decide(client, erasure, "approve")
    assert response.redirect_chain[-1][0] == f"{CHANGELIST}{erasure.pk}/change/"
    assert f"Erasure #{erasure.pk} approved." in response.content.decode()
    erasure.refresh_from_db()
    assert (erasure.status, erasure.decided_by) == ("scheduled", officer)
    assert AuditEvent.objects.filter(
        action="request.scheduled", actor_id=officer.pk, object_id=str(erasure.pk)
    ).exists()


def test_deny_from_the_page_needs_a_reason_and_keeps_what_was_typed(
    client, officer, alice, mailoutbox, django_capture_on_commit_callbacks
):
    erasure = erasure_for(alice)
    client.force_login(officer)
    response = decide(client, erasure, "deny", reason="   ")
    html = response.content.decode()
    assert "This field is required." in html
    assert PrivacyRequest.objects.get(pk=erasure.pk).status == "awaiting_approval"
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, erasure, "deny", reason="An open order must be delivered first.")
    erasure.refresh_from_db()
    assert (erasure.status, erasure.denial_reason) == ("denied", "An open order must be delivered first.")
    assert any(m.to == [alice.email] for m in mailoutbox)


def test_an_invalid_extension_shows_its_error_and_keeps_the_reason(client, officer, alice):
    erasure = erasure_for(alice)
    due = erasure.due_at
    client.force_login(officer)
    response = decide(client, erasure, "extend", days=90, reason="Three systems hold your history.")
    html = response.content.decode()
    assert "less than or equal to 60" in html and "Three systems hold your history." in html
    response = decide(client, erasure, "extend", days=30, reason="Three systems hold your history.")
    erasure.refresh_from_db()
    assert erasure.due_at == due + timedelta(days=30)
    assert "deadline moved" in response.content.decode()


def test_retry_from_the_page_requeues_a_failed_export(client, officer, alice, django_capture_on_commit_callbacks):
    export = PrivacyRequest.objects.create(
        kind="export", status="failed", user=alice, subject_ref="x", due_at=timezone.now() + timedelta(days=30)
    )
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, export, "retry")
    export.refresh_from_db()
    assert export.status == "completed"


def test_a_decision_raced_by_another_change_is_refused_with_the_reason(client, officer, alice):
    erasure = erasure_for(alice)
    client.force_login(officer)
    PrivacyRequest.objects.filter(pk=erasure.pk).update(status="cancelled")  # the customer cancelled meanwhile
    response = decide(client, erasure, "approve")
    # A stale click (the page was open before the cancel) is refused in words.
    assert (
        f"Not done: Erasure #{erasure.pk} is cancelled by the customer, so it cannot be approved."
        in response.content.decode()
    )
    assert PrivacyRequest.objects.get(pk=erasure.pk).status == "cancelled"


def test_decisions_are_post_only(client, officer, alice):
    erasure = erasure_for(alice)
    client.force_login(officer)
    assert client.get(f"{CHANGELIST}{erasure.pk}/approve/").status_code == 405
    assert PrivacyRequest.objects.get(pk=erasure.pk).status == "awaiting_approval"


def test_a_support_agent_cannot_decide_from_the_page(client, agent, alice):
    erasure = erasure_for(alice)
    client.force_login(agent)
    for name in ("approve", "deny", "extend", "retry", "assign"):
        data = {f"{name}-reason": "x", f"{name}-days": 5}
        assert client.post(f"{CHANGELIST}{erasure.pk}/{name}/", data).status_code == 403
    assert PrivacyRequest.objects.get(pk=erasure.pk).status == "awaiting_approval"


def test_an_officer_who_has_not_acknowledged_the_guidelines_is_told_on_the_page_before_deciding(client, officer, alice):
    StaffGuidelines.objects.create(version=3, text="Be fair.")
    erasure = erasure_for(alice)
    client.force_login(officer)
    html = page(client, erasure)
    assert "Before you decide, acknowledge the current AI ethics and privacy guidelines" in html
    assert "Version 3 of the AI ethics and privacy guidelines awaits your acknowledgement" in html
    decide(client, erasure, "approve")
    assert PrivacyRequest.objects.get(pk=erasure.pk).status == "awaiting_approval"
    client.post("/admin/privacy/privacyrequest/guidelines/acknowledge/")
    html = page(client, erasure)
    assert "awaits your acknowledgement" not in html and "Before you decide" not in html


def test_the_page_shows_days_left_and_this_persons_other_requests_but_no_one_elses(client, officer, alice, bob):
    earlier = erasure_for(alice, status="denied", due_at=timezone.now() - timedelta(days=200))
    erasure = erasure_for(alice, due_at=timezone.now() + timedelta(days=12, hours=1))
    bobs = erasure_for(bob, status="completed")
    client.force_login(officer)
    html = page(client, erasure)
    assert "12 days left" in html
    assert f"Erasure #{earlier.pk}</a>" in html
    assert f"Erasure #{bobs.pk}" not in html and bob.email not in html


def test_an_overdue_request_says_so_prominently(client, officer, alice):
    erasure = erasure_for(alice, due_at=timezone.now() - timedelta(days=4, hours=1))
    client.force_login(officer)
    html = page(client, erasure)
    assert 'class="deadline-banner overdue"' in html and "4 days overdue" in html


def test_the_job_plumbing_is_folded_away(client, officer, alice):
    erasure = erasure_for(alice, claimed_by_task="task-123", attempts=2)
    client.force_login(officer)
    html = page(client, erasure)
    folded = html[html.index("The job, for troubleshooting") - 400 :]
    assert "<details" in folded[:500] and "task-123" in folded


def test_the_queue_puts_open_requests_first_the_most_overdue_on_top(client, officer):
    people = [make_customer(f"p{i}@example.com") for i in range(4)]
    now = timezone.now()
    closed = erasure_for(people[0], status="completed", due_at=now - timedelta(days=30))
    later = erasure_for(people[1], due_at=now + timedelta(days=20))
    most_late = erasure_for(people[2], due_at=now - timedelta(days=9))
    late = erasure_for(people[3], due_at=now - timedelta(days=2))
    client.force_login(officer)
    listed = client.get(CHANGELIST).context["cl"].result_list
    assert [r.pk for r in listed] == [most_late.pk, late.pk, later.pk, closed.pk]


def test_staff_screens_use_staff_words_for_kinds_and_statuses(client, officer, alice):
    erasure_for(alice)
    client.force_login(officer)
    html = client.get(CHANGELIST).content.decode()
    assert "Awaiting approval" in html and "Erasure #" in html
    assert "of your data" not in html and "Waiting for our privacy team" not in html


def test_the_bulk_deny_asks_for_a_reason_only_for_requests_it_applies_to(client, officer, alice, bob):
    open_one = erasure_for(alice)
    done = erasure_for(bob, status="completed")
    client.force_login(officer)
    response = client.post(CHANGELIST, {"action": "deny", "_selected_action": [open_one.pk, done.pk]})
    html = response.content.decode()
    assert 'name="deny-reason"' in html
    assert f'value="{open_one.pk}"' in html and f'name="_selected_action" value="{done.pk}"' not in html


def test_the_desks_front_page_counts_what_waits_and_links_to_it(client, officer, agent, alice, bob):
    erasure_for(alice, due_at=timezone.now() - timedelta(days=2))
    erasure_for(bob, status="failed")
    client.force_login(officer)
    html = client.get("/admin/").content.decode()
    assert "<strong>1</strong> request overdue" in html
    assert "<strong>1</strong> failed job to retry" in html
    assert "?deadline=overdue" in html and "?status=failed" in html
    # A support agent may not see requests: no counts of them, and no link to the queue.
    client.force_login(agent)
    html = client.get("/admin/").content.decode()
    assert "request overdue" not in html and 'href="/admin/privacy/privacyrequest/"' not in html
    assert "human reviews to answer" in html


def test_assign_to_me_is_not_offered_on_a_request_already_mine(client, officer, alice):
    erasure = erasure_for(alice)
    client.force_login(officer)
    decide(client, erasure, "assign")
    assert PrivacyRequest.objects.get(pk=erasure.pk).assignee == officer
    assert "assign" not in offered(page(client, erasure))


def test_a_retry_is_recorded_as_a_retry_not_an_approval(client, officer, alice, django_capture_on_commit_callbacks):
    export = PrivacyRequest.objects.create(
        kind="export", status="failed", user=alice, subject_ref="x", due_at=timezone.now() + timedelta(days=30)
    )
    client.force_login(officer)
    decide(client, export, "retry")
    actions = list(AuditEvent.objects.filter(object_id=str(export.pk)).values_list("action", flat=True))
    assert "request.retried" in actions and "request.approved" not in actions


def test_selecting_many_requests_a_decision_skips_gives_one_message_not_one_each(client, officer):
    done = [erasure_for(make_customer(f"d{n}@example.com"), status="completed") for n in range(12)]
    client.force_login(officer)
    response = client.post(CHANGELIST, {"action": "approve", "_selected_action": [r.pk for r in done]}, follow=True)
    html = response.content.decode()
    assert html.count("Left alone") == 1 and "and 2 more" in html


@pytest.mark.parametrize("next_url", ["foo", "account_logout", "https://evil.example/", "//evil.example/x"])
def test_acknowledging_the_guidelines_goes_only_to_a_path_of_ours(client, officer, next_url):
    StaffGuidelines.objects.create(version=1, text="Be fair.")
    client.force_login(officer)
    response = client.post(f"/admin/privacy/privacyrequest/guidelines/acknowledge/?next={next_url}")
    assert response.status_code == 302 and response["Location"] == CHANGELIST


def test_the_guidelines_link_of_a_refused_decision_leads_back_to_the_request(client, officer, alice):
    StaffGuidelines.objects.create(version=1, text="Be fair.")
    erasure = erasure_for(alice)
    client.force_login(officer)
    html = decide(client, erasure, "approve").content.decode()
    assert f"?next=%2Fadmin%2Fprivacy%2Fprivacyrequest%2F{erasure.pk}%2Fchange%2F" in html


def test_a_failed_requests_page_says_why_it_failed(client, officer, alice):
    export = PrivacyRequest.objects.create(
        kind="export",
        status="failed",
        user=alice,
        subject_ref="x",
        due_at=timezone.now() + timedelta(days=30),
        failure_detail="ConnectionError",
        attempts=3,
    )
    client.force_login(officer)
    glance = page(client, export).split("At a glance")[1].split("Decide")[0]
    assert "Why it failed" in glance and "ConnectionError, after 3 attempts" in glance


def test_sorting_by_the_deadline_keeps_closed_requests_last(client, officer):
    now = timezone.now()
    closed = erasure_for(make_customer("c@example.com"), status="completed", due_at=now - timedelta(days=90))
    late = erasure_for(make_customer("l@example.com"), due_at=now - timedelta(days=2))
    later = erasure_for(make_customer("m@example.com"), due_at=now + timedelta(days=9))
    client.force_login(officer)
    admin_view = client.get(CHANGELIST).context["cl"]
    column = admin_view.list_display.index("deadline")
    listed = client.get(f"{CHANGELIST}?o={column}").context["cl"].result_list
    assert [r.pk for r in listed] == [late.pk, later.pk, closed.pk]
