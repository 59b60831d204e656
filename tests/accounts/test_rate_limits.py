import time

from allauth.core.internal import ratelimit
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache

from accounts.demo import DEMO_OFFICER_TOTP_SECRET, current_demo_totp_code
from tests.conftest import PASSWORD


def test_repeated_failed_sign_ins_lock_the_account_for_a_while(client, alice):
    for attempt in range(6):
        client.post("/accounts/login/", {"login": alice.email, "password": f"wrong-{attempt}"})
    # Even the right password is refused until the limit's window passes.
    response = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many attempts." in response.content.decode()
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


def _codes_other_than_the_current_one(count: int) -> list[str]:
    valid = {current_demo_totp_code(offset) for offset in (-1, 0, 1)}
    return [code for code in (f"{n:06d}" for n in range(count + 3)) if code not in valid][:count]


def test_a_locked_account_is_told_roughly_when_to_try_again(client, alice):
    for attempt in range(5):
        client.post("/accounts/login/", {"login": alice.email, "password": f"wrong-{attempt}"})
    page = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD}).content.decode()
    # The account's limit is five failures in five minutes (ACCOUNT_RATE_LIMITS).
    assert "Try again in about 5 minutes." in page
    assert "later" not in page


def test_the_time_given_follows_the_configured_limit(client, alice, bob, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "50/15m/ip,3/10m/key"}
    for attempt in range(3):
        client.post("/accounts/login/", {"login": alice.email, "password": f"wrong-{attempt}"})
    page = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD}).content.decode()
    assert "Try again in about 10 minutes." in page
    # Bob, on the same address, is not locked and is told nothing of the kind.
    response = client.post("/accounts/login/", {"login": bob.email, "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_authenticator_codes_say_roughly_when_to_try_again(client, alice):
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    for code in _codes_other_than_the_current_one(5):
        client.post("/accounts/2fa/authenticate/", {"code": code})
    page = client.post("/accounts/2fa/authenticate/", {"code": current_demo_totp_code()}).content.decode()
    assert "Try again in about 5 minutes." in page
    assert "later" not in page


def test_asking_for_sign_in_codes_too_often_says_when_to_ask_again(client_factory, alice):
    # Three codes a minute per address (allauth's request_login_code limit).
    for _ in range(3):
        client_factory().post("/accounts/login/code/", {"email": alice.email})
    page = client_factory().post("/accounts/login/code/", {"email": alice.email}).content.decode()
    assert "Try again in about 1 minute." in page
    assert "later" not in page


def test_after_too_many_wrong_sign_in_codes_the_customer_is_told_to_ask_for_a_new_one(client, alice):
    client.post("/accounts/login/code/", {"email": alice.email})
    for _ in range(3):
        response = client.post("/accounts/login/code/confirm/", {"code": "WRONG1"}, follow=True)
    page = response.content.decode()
    assert "Ask for a new code." in page
    assert "later" not in page


def test_the_time_given_is_what_is_left_of_the_lock_not_its_whole_length(client, alice, rf):
    # Five failures four minutes ago: the account's five-minute lock has about a minute left.
    four_minutes_ago = time.time() - 240
    key_rate = next(
        rate for rate in ratelimit.get_rates(app="allauth.account", action="login_failed") if rate.per == "key"
    )
    request = rf.post("/accounts/login/")
    lock = ratelimit.get_cache_key(
        request, app="allauth.account", action="login_failed", rate=key_rate, key=f"testserver:{alice.email}"
    )
    cache.set(lock, [four_minutes_ago + n for n in range(5)][::-1], key_rate.duration)
    page = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD}).content.decode()
    assert "Try again in about 1 minute." in page
