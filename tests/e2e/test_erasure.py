import pytest
from django.db import transaction

from accounts.models import User
from privacy import services
from privacy.models import PrivacyRequest
from tests.conftest import PASSWORD, make_customer
from tests.factories import give_history

pytestmark = pytest.mark.e2e


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")


def ask_to_erase(page):
    page.goto("/requests/erasure/")
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url("**/requests/erasure/")
    assert page.get_by_role("heading", name="Kept, and why").is_visible()
    page.get_by_label("To confirm").fill("erase my data")
    page.get_by_role("button", name="Erase my data").click()
    page.wait_for_url("**/requests/*/")


def test_alice_asks_cancels_asks_again_and_is_erased_after_staff_approval(page, alice, settings, mailoutbox):
    settings.PORTAL_ERASURE_GRACE_DAYS = 0
    give_history(alice, marker="Alice-history")
    officer = make_customer("officer@example.com", is_staff=True)
    sign_in(page, alice.email)

    ask_to_erase(page)
    assert page.get_by_role("heading", name="Waiting for our privacy team").is_visible()
    page.get_by_role("button", name="Cancel: keep my data").click()
    assert page.get_by_role("heading", name="Cancelled").is_visible()
    assert User.objects.get(pk=alice.pk).is_active

    ask_to_erase(page)
    assert page.get_by_role("heading", name="Waiting for our privacy team").is_visible()
    erasure = PrivacyRequest.objects.get(kind="erasure", status="awaiting_approval")
    with transaction.atomic():
        services.request_approve(request=erasure, staff_user=officer)  # runs eagerly after commit

    assert PrivacyRequest.objects.get(pk=erasure.pk).status == "completed"
    receipt = [m for m in mailoutbox if "receipt" in m.subject]
    assert len(receipt) == 1 and receipt[0].to == [alice.email]
    page.reload()
    page.wait_for_url("**/accounts/login/**")  # every session of hers is gone
    page.get_by_label("E-mail").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert "/dashboard/" not in page.url
