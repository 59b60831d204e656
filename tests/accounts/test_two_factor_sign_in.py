"""The second-factor prompt at sign-in says what works, and offers only what the customer has."""

import os
from typing import Any

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.webauthn.internal.auth import WebAuthn
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import sha256, websafe_encode
from fido2.webauthn import Aaguid, AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

from accounts.demo import DEMO_OFFICER_TOTP_SECRET
from tests.conftest import PASSWORD

APP_OR_RECOVERY_CODE = "Enter the 6-digit code from your authenticator app, or one of your recovery codes."


def security_key_registration() -> dict[str, Any]:
    """What a browser posts when a security key is registered: a real (software-made) credential."""
    credential_id = os.urandom(16)
    public_key = ES256.from_cryptography_key(ec.generate_private_key(ec.SECP256R1()).public_key())
    authenticator_data = AuthenticatorData.create(
        sha256(b"localhost"),
        AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT,
        0,
        AttestedCredentialData.create(Aaguid.NONE, credential_id, public_key),
    )
    client_data = CollectedClientData.create(
        type="webauthn.create", challenge=os.urandom(16), origin="http://localhost"
    )
    return {
        "id": websafe_encode(credential_id),
        "rawId": websafe_encode(credential_id),
        "type": "public-key",
        "response": {
            "clientDataJSON": websafe_encode(client_data),
            "attestationObject": websafe_encode(AttestationObject.create("none", authenticator_data, {})),
        },
        "clientExtensionResults": {},
    }


def second_factor_prompt(client, user) -> str:
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/2fa/authenticate/"
    return response.content.decode()


@pytest.fixture
def alice_with_an_app(alice):
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    RecoveryCodes.activate(alice)
    return alice


@pytest.fixture
def bob_with_an_app_and_a_key(bob):
    TOTP.activate(bob, DEMO_OFFICER_TOTP_SECRET)
    RecoveryCodes.activate(bob)
    WebAuthn.add(bob, "Bob's key", security_key_registration())
    return bob


def test_a_customer_without_a_security_key_is_not_offered_one(client, alice_with_an_app, bob_with_an_app_and_a_key):
    page = second_factor_prompt(client, alice_with_an_app)
    assert "security key" not in page.lower()
    assert 'id="mfa_webauthn_authenticate"' not in page


def test_a_customer_with_a_security_key_is_offered_it(client, alice_with_an_app, bob_with_an_app_and_a_key):
    page = second_factor_prompt(client, bob_with_an_app_and_a_key)
    assert "Use a security key" in page
    assert 'id="mfa_webauthn_authenticate"' in page


def test_the_prompt_says_that_a_recovery_code_works_too(client, alice_with_an_app):
    page = second_factor_prompt(client, alice_with_an_app)
    assert APP_OR_RECOVERY_CODE in page


def test_what_the_prompt_says_is_true_a_recovery_code_signs_in(client, alice_with_an_app):
    second_factor_prompt(client, alice_with_an_app)
    recovery_code = RecoveryCodes(alice_with_an_app.authenticator_set.get(type="recovery_codes")).get_unused_codes()[0]
    response = client.post("/accounts/2fa/authenticate/", {"code": recovery_code})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_a_customer_with_only_a_security_key_is_asked_for_it_or_a_recovery_code(client, alice):
    WebAuthn.add(alice, "Alice's key", security_key_registration())
    RecoveryCodes.activate(alice)
    page = second_factor_prompt(client, alice)
    assert "Use your security key, or enter one of your recovery codes." in page
    assert "authenticator app" not in page
    assert "Use a security key" in page


def test_the_prompt_can_still_be_cancelled_without_a_security_key(client, alice_with_an_app):
    page = second_factor_prompt(client, alice_with_an_app)
    assert 'form="logout-from-stage"' in page
    client.post("/accounts/logout/", {"next": "/accounts/login/"})
    assert 'name="password"' in client.get("/accounts/login/").content.decode()
