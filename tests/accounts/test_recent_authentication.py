"""Signing in is a fresh proof: no second password prompt right after it."""

from tests.conftest import PASSWORD, age_every_proof, sign_in


def test_asking_for_an_export_right_after_signing_in_does_not_ask_for_the_password_again(client, alice):
    sign_in(client, alice.email)
    response = client.get("/requests/export/")
    assert response.status_code == 200


def test_asking_for_an_erasure_right_after_signing_in_does_not_ask_for_the_password_again(client, alice):
    sign_in(client, alice.email)
    response = client.get("/requests/erasure/")
    assert response.status_code == 200


def test_the_sign_in_counts_only_for_the_reauthentication_timeout(client, alice, settings):
    sign_in(client, alice.email)
    age_every_proof(client, settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)
    response = client.get("/requests/export/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_a_failed_password_is_no_proof(client, alice, bob):
    # Bob signs in; a wrong password typed for Alice in another browser proves nothing for anyone.
    response = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD + "-wrong"})
    assert response.status_code == 200
    response = client.get("/requests/export/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    sign_in(client, bob.email)
    assert client.get("/requests/export/").status_code == 200
