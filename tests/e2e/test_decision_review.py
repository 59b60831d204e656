"""A customer reads why an AI decided, asks a person; staff change the decision; the audit counts the overturn."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from accounts.demo import DEMO_OFFICER_TOTP_SECRET, current_demo_totp_code
from fairness.models import FairnessAuditGroup
from interactions.models import AIDecision
from privacy.models import HumanReviewRequest
from tests.conftest import PASSWORD, make_customer
from tests.factories import AIDecisionFactory
from tests.fairness.conftest import run_audit

pytestmark = pytest.mark.e2e


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_alice_contests_a_refund_decision_staff_change_it_and_the_audit_counts_the_overturn(
    page, browser, live_server, alice, settings
):
    settings.PORTAL_FAIRNESS_MIN_GROUP_SIZE = settings.PORTAL_FAIRNESS_MIN_CUSTOMERS = 1
    decision = AIDecisionFactory.create(
        customer=alice,
        reasons=[
            {"text": "The courier confirmed the parcel was signed for.", "weight": 0.7},
            {"text": "The request came 34 days after delivery.", "weight": 0.3},
        ],
    )
    officer = make_customer("officer@example.com", "Olivia Okafor", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    TOTP.activate(officer, DEMO_OFFICER_TOTP_SECRET)

    # Alice reads the decision and its reasons, and asks a person with one click.
    sign_in(page, alice.email)
    page.wait_for_url("**/dashboard/")
    page.get_by_role("link", name="Decisions our AI made about you").first.click()
    page.get_by_role("link", name="Refund request: Refund declined").click()
    assert page.get_by_text("The courier confirmed the parcel was signed for.").is_visible()
    assert page.get_by_text("Not in your favour").first.is_visible()
    page.get_by_role("button", name="Ask a person to review this decision").click()
    page.get_by_text("Your request is with our team").wait_for()
    assert page.get_by_text("Waiting for a person").is_visible()
    review = HumanReviewRequest.objects.get()
    assert review.subject == decision

    # A privacy officer changes it in the admin.
    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    desk = staff.new_page()
    desk.goto("/admin/")
    desk.get_by_label("E-mail").fill(officer.email)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url("**/accounts/2fa/authenticate/**")
    desk.get_by_label("Code").fill(current_demo_totp_code())
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url("**/admin/")
    desk.goto(f"/admin/privacy/humanreviewrequest/{review.pk}/change/")
    assert desk.get_by_text("The courier confirmed the parcel was signed for.").is_visible()
    desk.get_by_label("Changed: a person corrected the outcome").check()
    desk.get_by_label("New outcome (when changed)").select_option("favourable")
    desk.get_by_label("New outcome, in the customer's words (when changed)").fill("Refund approved")
    desk.get_by_label("Message to the customer").fill("The courier's signature is not yours: we refund you in full.")
    desk.get_by_role("button", name="Save", exact=True).click()
    desk.get_by_text("The answer is saved").wait_for()
    staff.close()

    # Alice sees the new outcome on the decision.
    page.goto(f"/decisions/{decision.pk}/")
    assert page.get_by_text("Refund approved").first.is_visible()
    assert page.get_by_text("A person reviewed our AI's decision and changed it").is_visible()
    assert page.get_by_text("we refund you in full").is_visible()
    assert AIDecision.objects.get().review_result == "changed"
    assert page.recorder.foreign_requests() == [] and page.recorder.console_errors == []

    # The next audit counts it as overturned.
    audit = run_audit()
    group = FairnessAuditGroup.objects.get(unit__audit=audit, unit__attribute_set="language")
    assert (group.reviewed, group.overturn_rate) == (1, 1.0)
