"""The privacy officer's desk in Chromium at laptop size: the queue, a request's page and its decisions."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.demo import DEMO_OFFICER_TOTP_SECRET, current_demo_totp_code
from accounts.models import User
from privacy.models import PrivacyRequest, StaffGuidelines
from privacy.services.requests import subject_reference
from tests.conftest import PASSWORD, make_customer
from tests.e2e.conftest import sign_in_without_the_pages
from tests.e2e.staff import LAPTOP

pytestmark = pytest.mark.e2e

QUEUE = "/admin/privacy/privacyrequest/"


def signed_in_officer(page) -> User:
    """Olivia, a privacy officer with TOTP as tests/e2e/staff.py makes her, signed in with her code.

    Signing in to the desk is test_staff_sign_in's; here it would cost three page loads.
    """
    officer = make_customer("officer@example.com", "Olivia Okafor", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    TOTP.activate(officer, DEMO_OFFICER_TOTP_SECRET)
    page.set_viewport_size(LAPTOP)
    sign_in_without_the_pages(page, officer.email, PASSWORD, code=current_demo_totp_code)
    return officer


def open_request(user, kind, *, due_in_days=30):
    return PrivacyRequest.objects.create(
        kind=kind,
        status="awaiting_approval",
        user=user,
        subject_ref=subject_reference(user.pk),
        # An hour's margin, so "N days" reads the same however long the test takes.
        due_at=timezone.now() + timedelta(days=due_in_days, hours=1 if due_in_days >= 0 else -1),
        scheduled_for=timezone.now() + timedelta(days=14),
    )


def open_its_page(page, privacy_request):
    # From the queue, as an officer goes; a queue already open is not loaded again.
    if urlsplit(page.url).path != QUEUE:
        page.goto(QUEUE)
    page.get_by_role("link", name=str(privacy_request), exact=True).click()
    page.get_by_role("heading", name="Decide").wait_for()


def test_a_privacy_officer_approves_denies_and_extends_from_each_requests_own_page(page, alice, bob, mailoutbox):
    officer = signed_in_officer(page)
    StaffGuidelines.objects.create(version=1, text="A person reviews every contested AI outcome.")
    erasure = open_request(alice, "erasure")
    export = open_request(bob, "export")
    charlie = make_customer("charlie@example.com", "Charlie")
    slow = open_request(charlie, "export", due_in_days=3)

    # The guidelines awaiting acknowledgement are said upfront, before any decision is tried.
    page.goto(QUEUE)
    reminder = page.get_by_role("status").filter(has_text="awaits your acknowledgement")
    reminder.get_by_role("link", name="Read the guidelines").click()
    page.get_by_role("button", name="I have read these guidelines and will follow them").click()
    page.get_by_text("version 1 acknowledged").first.wait_for()
    assert page.get_by_text("awaits your acknowledgement").count() == 0

    open_its_page(page, erasure)
    # Only what the state allows is offered: nothing to retry on a request that has not failed.
    assert page.get_by_role("button", name="Retry the failed job").count() == 0
    page.get_by_role("button", name="Approve").click()
    page.get_by_text(f"{erasure} approved.").first.wait_for()
    erasure.refresh_from_db()
    assert (erasure.status, erasure.decided_by_id) == ("scheduled", officer.pk)
    # Approved: approving again is no longer offered on its page.
    assert page.get_by_role("button", name="Approve").count() == 0

    open_its_page(page, export)
    page.get_by_text("Deny…").click()
    page.locator("details[open]").get_by_label("Reason in English (the customer reads this)").fill(
        "We could not confirm this request came from you."
    )
    page.get_by_role("button", name="Deny", exact=True).click()
    page.get_by_text("denied; the customer is told why").first.wait_for()
    export.refresh_from_db()
    assert (export.status, export.denial_reason) == ("denied", "We could not confirm this request came from you.")
    assert any(m.to == [bob.email] and "refused" in m.subject for m in mailoutbox)
    page.get_by_text("Nothing is left to decide").wait_for()

    open_its_page(page, slow)
    assert page.locator(".deadline-banner.due-soon").get_by_text("3 days left").is_visible()
    due = slow.due_at
    page.get_by_text("Extend the deadline…").click()
    page.get_by_label("Extend by (days)").fill("45")
    page.locator("details[open]").get_by_label("Reason in English (the customer reads this)").fill(
        "Your history is kept in three systems."
    )
    page.get_by_role("button", name="Extend the deadline", exact=True).click()
    page.get_by_text("deadline moved; the customer is told why").first.wait_for()
    slow.refresh_from_db()
    assert slow.due_at == due + timedelta(days=45)
    page.get_by_text("48 days left").wait_for()
    assert page.recorder.console_errors == []


def test_the_queues_deadlines_are_visible_without_scrolling_sideways_most_overdue_first(page, alice, bob):
    signed_in_officer(page)
    people = [make_customer(f"customer-{n}@example.com", f"Customer {n}") for n in range(6)]
    late = open_request(people[0], "erasure", due_in_days=-4)
    open_request(people[1], "export", due_in_days=20)
    open_request(people[2], "erasure", due_in_days=2)
    page.goto(QUEUE)
    assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
    viewport_width = page.viewport_size["width"]
    for header in ("Deadline", "Assignee"):
        cell = page.locator("#result_list thead th").filter(has_text=header)
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= viewport_width, header
    table = page.locator("#result_list").bounding_box()
    scroller = page.locator(".results").bounding_box()
    assert table["x"] + table["width"] <= scroller["x"] + scroller["width"] + 1
    first_row = page.locator("#result_list tbody tr").first
    assert first_row.get_by_role("link").inner_text() == str(late)
    overdue = first_row.locator(".deadline.overdue")
    assert overdue.inner_text().startswith("4 days overdue")
    assert page.locator(".deadline.due-soon").first.inner_text().startswith("2 days left")
