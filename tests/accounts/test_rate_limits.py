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
