import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from accounts.demo import DEMO_OFFICER_TOTP_SECRET


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/")


def test_it_shows_the_customer_their_account(alice_client, alice):
    html = alice_client.get("/dashboard/").content.decode()
    assert "Alice Archer" in html
    assert "alice@example.com" in html
    assert "verified" in html


def test_it_shows_that_two_factor_authentication_is_off(alice_client):
    html = alice_client.get("/dashboard/").content.decode()
    assert "We recommend turning it on" in html


def test_it_shows_that_two_factor_authentication_is_on(alice_client, alice):
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    assert Authenticator.objects.filter(user=alice).exists()
    html = alice_client.get("/dashboard/").content.decode()
    assert "authenticator app" in html
    assert "We recommend turning it on" not in html


def test_bob_sees_his_own_account_and_nothing_of_alices(bob_client, alice):
    html = bob_client.get("/dashboard/").content.decode()
    assert "Bob Brennan" in html
    assert "Alice" not in html and "alice@example.com" not in html
