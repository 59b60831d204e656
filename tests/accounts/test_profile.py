import pytest

from tests.conftest import age_every_proof, sign_in, sign_in_recently


def test_the_profile_page_shows_the_customers_details(alice_client, alice):
    html = alice_client.get("/profile/").content.decode()
    for value in ("Alice Archer", "alice@example.com", "+44 20 7946 0011", "Bristol", str(alice.public_id)):
        assert value in html


def test_bob_sees_only_his_own_profile(bob_client, alice):
    html = bob_client.get("/profile/").content.decode()
    assert "Bob Brennan" in html
    assert "Alice" not in html and "+44 20 7946 0011" not in html


def test_editing_the_profile_requires_reauthentication(alice_client):
    # force_login records no authentication, like a session older than the
    # re-authentication timeout.
    response = alice_client.get("/profile/edit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_a_sign_in_older_than_the_reauthentication_timeout_is_not_recent_enough_to_edit(client, alice, settings):
    sign_in(client, alice.email)
    age_every_proof(client, settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)
    response = client.get("/profile/edit/")
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_editing_the_profile_after_reauthenticating_saves_it(client, alice):
    sign_in_recently(client, alice.email)
    response = client.post(
        "/profile/edit/",
        {
            "full_name": "Alice A. Archer",
            "phone": "+44 117 496 0000",
            "address_line1": "1 New Road",
            "address_line2": "",
            "postal_code": "BS2 0AA",
            "city": "Bristol",
            "country": "UK",
            "preferred_language": "de",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.full_name, alice.phone, alice.preferred_language) == ("Alice A. Archer", "+44 117 496 0000", "de")


def test_a_malformed_phone_number_is_refused_with_a_message(client, alice):
    sign_in_recently(client, alice.email)
    response = client.post(
        "/profile/edit/", {"full_name": "Alice", "phone": "call me maybe", "preferred_language": "en"}
    )
    assert response.status_code == 200
    assert "Enter a phone number" in response.content.decode()
    alice.refresh_from_db()
    assert alice.phone == "+44 20 7946 0011"


def test_bob_editing_his_profile_leaves_alices_untouched(client, alice, bob):
    sign_in_recently(client, bob.email)
    client.post("/profile/edit/", {"full_name": "Robert Brennan", "phone": "", "preferred_language": "en"})
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert bob.full_name == "Robert Brennan"
    assert alice.full_name == "Alice Archer"


@pytest.mark.django_db
def test_an_unknown_language_is_refused(client, alice):
    sign_in_recently(client, alice.email)
    response = client.post("/profile/edit/", {"full_name": "Alice", "preferred_language": "xx"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.preferred_language == "en"
