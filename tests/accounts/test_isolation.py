"""Bob, signed in and recently re-authenticated, aims at Alice's things by their IDs."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from tests.conftest import PASSWORD, sign_in_recently


@pytest.fixture
def bob_recent(client, bob):
    sign_in_recently(client, bob.email)
    return client


@pytest.fixture
def alices_key(alice):
    return Authenticator.objects.create(
        user=alice, type=Authenticator.Type.WEBAUTHN, data={"name": "Alice's key", "credential": {}}
    )


def test_bob_cannot_remove_alices_e_mail_address(bob_recent, alice):
    bob_recent.post("/accounts/email/", {"action_remove": "", "email": alice.email})
    assert EmailAddress.objects.filter(user=alice, email=alice.email).exists()


def test_bob_cannot_make_alices_address_his_primary(bob_recent, alice, bob):
    bob_recent.post("/accounts/email/", {"action_primary": "", "email": alice.email})
    assert EmailAddress.objects.get(email=alice.email).user == alice
    assert EmailAddress.objects.get(user=bob, primary=True).email == bob.email


def test_bob_cannot_take_over_alices_address_by_adding_it(bob_recent, client_factory, alice, bob):
    # allauth answers as if it worked (no one learns the address is taken),
    # but the copy on Bob's account can never be verified by him.
    bob_recent.post("/accounts/email/", {"action_add": "", "email": alice.email})
    assert not EmailAddress.objects.filter(user=bob, email=alice.email, verified=True).exists()
    assert EmailAddress.objects.get(user=alice, email=alice.email).verified
    alice_browser = client_factory()
    alice_browser.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert "Alice Archer" in alice_browser.get("/dashboard/").content.decode()


def test_bob_gets_404_for_alices_security_key(bob_recent, alices_key):
    assert bob_recent.get(f"/accounts/2fa/webauthn/keys/{alices_key.pk}/edit/").status_code == 404
    response = bob_recent.post(f"/accounts/2fa/webauthn/keys/{alices_key.pk}/remove/")
    assert response.status_code == 404
    assert Authenticator.objects.filter(pk=alices_key.pk).exists()


def test_bob_cannot_rename_alices_security_key(bob_recent, alices_key):
    bob_recent.post(f"/accounts/2fa/webauthn/keys/{alices_key.pk}/edit/", {"name": "owned"})
    alices_key.refresh_from_db()
    assert alices_key.data["name"] == "Alice's key"


def test_bobs_pages_show_nothing_of_alices(bob_recent, alice, alices_key):
    for path in [
        "/dashboard/",
        "/profile/",
        "/profile/edit/",
        "/accounts/email/",
        "/accounts/2fa/webauthn/",
        "/accounts/sessions/",
        "/my-data/",
    ]:
        html = bob_recent.get(path).content.decode()
        assert "alice@example.com" not in html and "Alice Archer" not in html, path
        assert "Alice's key" not in html, path
