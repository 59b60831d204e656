from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.demo import DEMO_OFFICER_TOTP_SECRET, current_demo_totp_code
from privacy.models import PrivacyRequest, StaffGuidelines
from privacy.services.requests import subject_reference
from tests.conftest import PASSWORD, make_customer

pytestmark = pytest.mark.e2e


def open_request(user, kind):
    return PrivacyRequest.objects.create(
        kind=kind,
        status="awaiting_approval",
        user=user,
        subject_ref=subject_reference(user.pk),
        due_at=timezone.now() + timedelta(days=30),
        scheduled_for=timezone.now() + timedelta(days=14),
    )


def choose(page, request, action):
    page.goto("/admin/privacy/privacyrequest/")
    page.locator(f'input[name="_selected_action"][value="{request.pk}"]').check()
    page.locator('select[name="action"]').select_option(action)
    page.get_by_role("button", name="Run").click()
    page.wait_for_load_state()


def test_a_privacy_officer_signs_in_with_mfa_approves_an_erasure_and_denies_an_export(page, alice, bob, mailoutbox):
    officer = make_customer("officer@example.com", "Olivia Okafor", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    TOTP.activate(officer, DEMO_OFFICER_TOTP_SECRET)
    StaffGuidelines.objects.create(version=1, text="A person reviews every contested AI outcome.")
    erasure = open_request(alice, "erasure")
    export = open_request(bob, "export")

    page.goto("/admin/")
    page.get_by_label("E-mail").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.get_by_label("Code").fill(current_demo_totp_code())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")

    choose(page, erasure, "approve")
    page.get_by_text("acknowledge the current AI ethics and privacy guidelines").first.wait_for()
    page.get_by_role("link", name="Read them now").click()
    page.get_by_text("A person reviews every contested AI outcome.").first.wait_for()
    page.get_by_role("button", name="I have read these guidelines and will follow them").click()
    page.get_by_text("version 1 acknowledged").first.wait_for()

    choose(page, erasure, "approve")
    page.get_by_text(f"{erasure} approved.").first.wait_for()
    erasure.refresh_from_db()
    assert (erasure.status, erasure.decided_by_id) == ("scheduled", officer.pk)

    choose(page, export, "deny")
    page.get_by_label("Reason (the customer reads this)").fill("We could not confirm this request came from you.")
    page.get_by_role("button", name="Deny with a reason").click()
    page.get_by_text("denied; the customer is told why").first.wait_for()
    export.refresh_from_db()
    assert (export.status, export.denial_reason) == ("denied", "We could not confirm this request came from you.")
    assert any(m.to == [bob.email] and "refused" in m.subject for m in mailoutbox)
