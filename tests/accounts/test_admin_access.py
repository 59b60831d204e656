import pytest
from allauth.mfa.totp.internal.auth import TOTP

from accounts.demo import DEMO_OFFICER_TOTP_SECRET, current_demo_totp_code
from tests.conftest import PASSWORD, make_customer


@pytest.fixture
def officer(db):
    return make_customer("officer@example.com", "Olivia Okafor", is_staff=True, is_superuser=True)


@pytest.mark.django_db
def test_the_admin_sends_anonymous_visitors_to_the_allauth_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")


def test_a_customer_is_refused_the_admin(alice_client):
    assert alice_client.get("/admin/login/").status_code == 403
    assert alice_client.get("/admin/", follow=True).status_code == 403


def test_staff_without_mfa_are_sent_to_ask_for_an_invitation_to_set_it_up(client, officer):
    client.force_login(officer)
    response = client.get("/admin/", follow=True)
    hops = [url for url, _ in response.redirect_chain]
    assert hops[-1] == "/staff/two-factor/"
    assert "invitation link a privacy officer sends" in response.content.decode()


def test_staff_who_signed_in_with_their_second_factor_reach_the_admin(client, officer):
    TOTP.activate(officer, DEMO_OFFICER_TOTP_SECRET)
    client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": current_demo_totp_code()})
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Compliance desk" in response.content.decode()


def test_having_mfa_is_not_enough_the_session_must_have_used_it(client, officer):
    # E.g. a session from before the authenticator was set up.
    TOTP.activate(officer, DEMO_OFFICER_TOTP_SECRET)
    client.force_login(officer)
    response = client.get("/admin/", follow=True)
    hops = [url for url, _ in response.redirect_chain]
    assert any(hop.startswith("/accounts/2fa/reauthenticate/") for hop in hops)
    client.post("/accounts/2fa/reauthenticate/", {"code": current_demo_totp_code()})
    assert client.get("/admin/").status_code == 200


def test_enrolling_a_second_factor_with_only_the_password_does_not_open_the_admin(client, officer):
    client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    TOTP.activate(officer, DEMO_OFFICER_TOTP_SECRET)  # as the activation page would
    assert client.get("/admin/").status_code == 302


def test_the_mfa_requirement_can_be_switched_off(client, officer, settings):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    client.force_login(officer)
    assert client.get("/admin/").status_code == 200


def test_staff_sign_in_asks_for_the_second_factor(client, officer):
    TOTP.activate(officer, DEMO_OFFICER_TOTP_SECRET)
    response = client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302  # not signed in until the code is given


def test_staff_cannot_edit_a_customers_sign_in_address_directly(client, officer, alice, settings):
    # The address lives in allauth's verified EmailAddress rows; changing the
    # copy on the user would let an unverified address sign in.
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    client.force_login(officer)
    page = client.get(f"/admin/accounts/user/{alice.pk}/change/").content.decode()
    assert 'name="email"' not in page
