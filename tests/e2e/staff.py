"""Signing in to the staff desk in the browser: a privacy officer with the demo's second factor."""

from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from accounts.demo import DEMO_OFFICER_TOTP_SECRET, current_demo_totp_code
from accounts.models import User
from tests.conftest import PASSWORD, make_customer

LAPTOP = {"width": 1280, "height": 900}


def sign_in_as_officer(page, *, viewport: dict[str, int] | None = None) -> User:
    """Create Olivia, a privacy officer with TOTP, and sign her in to the admin through allauth and her code."""
    officer = make_customer("officer@example.com", "Olivia Okafor", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    TOTP.activate(officer, DEMO_OFFICER_TOTP_SECRET)
    if viewport is not None:
        page.set_viewport_size(viewport)
    page.goto("/admin/")
    page.get_by_label("E-mail").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.get_by_label("Code").fill(current_demo_totp_code())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    return officer
