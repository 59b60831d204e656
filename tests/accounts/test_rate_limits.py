from allauth.mfa.totp.internal.auth import TOTP

from accounts.demo import DEMO_OFFICER_TOTP_SECRET
from tests.conftest import PASSWORD


def test_repeated_failed_sign_ins_lock_the_account_for_a_while(client, alice):
    for attempt in range(6):
        client.post("/accounts/login/", {"login": alice.email, "password": f"wrong-{attempt}"})
    # Even the right password is refused until the limit's window passes.
    response = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_the_lock_is_per_account_so_bob_can_still_sign_in(client, alice, bob):
    for attempt in range(6):
        client.post("/accounts/login/", {"login": alice.email, "password": f"wrong-{attempt}"})
    response = client.post("/accounts/login/", {"login": bob.email, "password": PASSWORD})
    assert response.status_code == 302


def test_ten_wrong_passwords_on_one_account_do_not_lock_another_customer_on_the_same_address(client, alice, bob):
    # Behind a proxy, or in one office, many customers share an address:
    # one customer's mistakes must not lock the others out.
    for attempt in range(12):
        client.post("/accounts/login/", {"login": alice.email, "password": f"wrong-{attempt}"})
    response = client.post("/accounts/login/", {"login": bob.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_wrong_authenticator_codes_on_one_account_do_not_lock_another_customer_on_the_same_address(
    client_factory, alice, bob
):
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    guesser = client_factory()
    guesser.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    for attempt in range(12):
        guesser.post("/accounts/2fa/authenticate/", {"code": f"{attempt:06d}"})
    response = client_factory().post("/accounts/login/", {"login": bob.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_behind_a_trusted_proxy_each_real_client_address_has_its_own_count(client_factory, alice, bob, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    sprayer, customer = client_factory(), client_factory()
    # Enough failures from one real address to trip the per-address limit.
    for attempt in range(60):
        sprayer.post(
            "/accounts/login/",
            {"login": f"nobody-{attempt}@example.com", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    refused = sprayer.post(
        "/accounts/login/", {"login": bob.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert refused.status_code == 429
    # The proxy's own address is the same for both; the client's is not.
    response = customer.post(
        "/accounts/login/", {"login": bob.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.20"
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
