"""The account adapter files each e-mail it sends under the customer who owns the address."""

import pytest
from allauth.account.models import EmailAddress
from allauth.core import context
from django.test import RequestFactory

from accounts.adapter import AccountAdapter
from privacy.models import OutboundEmail


def send_security_notice(to: str) -> OutboundEmail:
    request = RequestFactory().get("/accounts/password/reset/")
    with context.request_context(request):
        AccountAdapter(request).send_mail("account/email/unknown_account", to, {"signup_url": "/"})
    return OutboundEmail.objects.latest("pk")


@pytest.mark.django_db
def test_an_e_mail_to_a_verified_address_is_filed_under_its_owner(alice, bob):
    assert send_security_notice(alice.email).user_id == alice.pk


@pytest.mark.django_db
def test_an_address_someone_merely_added_unverified_does_not_file_mail_under_them(alice, bob):
    # Bob types Alice's address (and then an unclaimed one) into his account
    # without verifying either: mail to those addresses is not Bob's.
    EmailAddress.objects.filter(user=alice).delete()
    EmailAddress.objects.create(user=bob, email=alice.email, verified=False, primary=False)
    EmailAddress.objects.create(user=bob, email="nobody@example.com", verified=False, primary=False)
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    assert send_security_notice(alice.email).user_id == alice.pk
    assert send_security_notice("nobody@example.com").user_id is None


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/accounts/password/reset/", {"email": "alice@example.com"}),  # a reset link
        ("/accounts/password/reset/", {"email": "stranger@example.com"}),  # "no account": a sign-up link
        ("/accounts/signup/", {"email": "alice@example.com", "password1": "x" * 12, "password2": "x" * 12}),
    ],
)
def test_links_in_account_e_mails_point_at_the_portal_whatever_host_the_request_named(
    client, alice, mailoutbox, django_capture_on_commit_callbacks, settings, path, data
):
    # A forged Host header (let through by a lax proxy or host list) must not
    # put the attacker's address into a password-reset link.
    settings.ALLOWED_HOSTS = ["*"]
    settings.PORTAL_URL = "https://privacy.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, data, HTTP_HOST="attacker.invalid")
    assert mailoutbox, "an e-mail was sent"
    message = mailoutbox[-1]
    bodies = [message.body, *(str(content) for content, _ in getattr(message, "alternatives", []))]
    for body in bodies:
        assert "attacker.invalid" not in body
        assert "https://privacy.example.com/" in body
