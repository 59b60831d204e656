import pytest

from accounts.demo import DEMO_PEOPLE, current_demo_totp_code, seed_people_and_list_sign_ins

pytestmark = pytest.mark.e2e

OFFICER = next(person for person in DEMO_PEOPLE if person.is_staff)


def test_the_demo_privacy_officer_signs_in_with_the_printed_secret_and_reaches_the_admin(page):
    # The demo's people, as `seed_demo` makes them first (the rest of the demo,
    # 30 seconds of history, is tested in tests/fairness/test_demo.py).
    seed_people_and_list_sign_ins()
    page.goto("/admin/")
    page.wait_for_url("**/accounts/login/?next=**")
    page.get_by_label("E-mail").fill(OFFICER.email)
    page.get_by_label("Password").fill(OFFICER.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.get_by_label("Code").fill(current_demo_totp_code())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    assert page.get_by_role("heading", name="Compliance desk").is_visible()


def test_a_customer_who_tries_the_admin_is_refused(page, alice):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(alice.email)
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    response = page.goto("/admin/")
    assert response.status == 403
