import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from privacy.models import OutboundEmail

SIGNUP = {
    "email": "Dana@Example.com",
    "full_name": "Dana Doe",
    "password1": "plum-orchard-77",
    "password2": "plum-orchard-77",
}


@pytest.mark.django_db
def test_signing_up_creates_an_unverified_customer_with_their_name(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="dana@example.com")
    assert user.full_name == "Dana Doe"
    assert not EmailAddress.objects.get(user=user).verified


@pytest.mark.django_db
def test_it_e_mails_a_verification_link_through_the_outbox(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["dana@example.com"]
    assert re.search(r"/accounts/confirm-email/[^/\s]+/", mailoutbox[0].body)
    stored = OutboundEmail.objects.get()
    assert stored.status == OutboundEmail.Status.SENT
    assert stored.body_text == "" and stored.body_html == ""  # the link is not kept once sent


@pytest.mark.django_db
def test_it_does_not_sign_in_before_the_address_is_verified(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)
    response = client.post("/accounts/login/", {"login": "dana@example.com", "password": "plum-orchard-77"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_following_the_link_verifies_the_address(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)
    match = re.search(r"(/accounts/confirm-email/[^/\s]+/)", mailoutbox[0].body)
    assert match is not None
    link = match.group(1)
    client.post(link)
    assert EmailAddress.objects.get(email="dana@example.com").verified
    response = client.post("/accounts/login/", {"login": "dana@example.com", "password": "plum-orchard-77"})
    assert response["Location"] == "/dashboard/"


@pytest.mark.django_db
def test_signing_up_with_a_taken_address_reveals_nothing_and_tells_the_owner(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    # The page answers as for a new account (no one learns who is a customer);
    # the owner of the address is told instead.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", {**SIGNUP, "email": "ALICE@example.com"})
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]
    assert "already" in mailoutbox[0].body.lower()


@pytest.mark.django_db
def test_a_weak_password_is_refused(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    assert not User.objects.filter(email="dana@example.com").exists()
    assert b"password" in response.content.lower()


@pytest.mark.django_db
def test_a_customer_who_signs_up_in_german_keeps_german_and_one_in_english_keeps_english(
    client, client_factory, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
        client_factory().post(
            "/accounts/signup/",
            {**SIGNUP, "email": "erin@example.com", "full_name": "Erin"},
            HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9",
        )
    assert User.objects.get(email="dana@example.com").preferred_language == "de"
    assert User.objects.get(email="erin@example.com").preferred_language == "en"
    (dana_mail,) = [m for m in mailoutbox if m.to == ["dana@example.com"]]
    assert "E-Mail" in dana_mail.subject + dana_mail.body
