import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def sign_in(page, email: str, password: str = PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_newcomer_signs_up_verifies_the_address_and_reaches_the_dashboard(page, mailoutbox):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Create account").click()
    page.get_by_label("E-mail").fill("dana@example.com")
    page.get_by_label("Full name").fill("Dana Doe")
    page.locator("#id_password1").fill("plum-orchard-77")
    page.locator("#id_password2").fill("plum-orchard-77")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/accounts/confirm-email/")

    match = re.search(r"https?://\S+/accounts/confirm-email/[^/\s]+/", mailoutbox[-1].body)
    assert match is not None
    link = match.group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    sign_in(page, "dana@example.com", "plum-orchard-77")
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", name="Hello, Dana").is_visible()
    assert page.locator("dd", has_text="dana@example.com").is_visible()
    assert page.locator("dd", has_text="Dana Doe").is_visible()


def test_a_customer_sets_up_an_authenticator_app_and_signs_in_with_a_code(page, alice):
    sign_in(page, alice.email)
    page.wait_for_url("**/dashboard/")
    # The sign-in a moment ago is recent authentication: no password again.
    page.goto("/accounts/2fa/totp/activate/")
    page.wait_for_url("**/accounts/2fa/totp/activate/")

    secret = page.locator("#authenticator_secret").input_value()
    counter = int(page.evaluate("Date.now() / 1000")) // 30
    page.get_by_label("Authenticator code").fill(format_hotp_value(hotp_value(secret, counter)))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, alice.email)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    # The next period's code: allauth refuses a code already used once.
    page.get_by_label("Code").fill(format_hotp_value(hotp_value(secret, counter + 1)))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_text("authenticator app").is_visible()


def test_no_page_loads_anything_from_another_host_or_breaks_the_csp(page, alice):
    for path in ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        page.goto(path)
    sign_in(page, alice.email)
    page.wait_for_url("**/dashboard/")
    for path in ["/profile/", "/accounts/email/", "/accounts/2fa/", "/accounts/sessions/"]:
        page.goto(path)
    assert len(page.recorder.request_urls) > 10
    assert page.recorder.foreign_requests() == []
    assert [error for error in page.recorder.console_errors if "Content Security Policy" in error] == []
    assert page.recorder.console_errors == []


def test_bob_signed_in_in_the_browser_sees_nothing_of_alices(page, alice, bob):
    sign_in(page, bob.email)
    page.wait_for_url("**/dashboard/")
    for path in ["/dashboard/", "/profile/", "/accounts/email/", "/accounts/sessions/"]:
        page.goto(path)
        html = page.content()
        assert "alice@example.com" not in html and "Alice Archer" not in html
