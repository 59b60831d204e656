import re

from tests.conftest import PASSWORD


def test_a_customer_can_sign_in_with_a_code_sent_by_e_mail(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"email": alice.email})
    assert response.status_code == 302
    match = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mailoutbox[-1].body, re.MULTILINE)
    assert match is not None
    code = match.group(1)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_code_does_not_sign_in(client, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"email": alice.email})
    client.post(response["Location"], {"code": "WRONG1"})
    assert client.get("/dashboard/").status_code == 302


def test_after_asking_a_code_for_a_mistyped_address_sign_in_starts_afresh(client, alice):
    client.post("/accounts/login/code/", {"email": "alcie@example.com"}, follow=True)
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="password"' in page and "alcie@example.com" not in page
    # The password works straight away: nothing of the abandoned attempt is in the way.
    response = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    assert response["Location"] == "/dashboard/"


def test_asking_again_for_a_code_lets_the_address_be_corrected(
    client, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/login/code/", {"email": "alcie@example.com"})
    response = client.get("/accounts/login/code/")
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"email": alice.email}, follow=True)
    assert alice.email in response.content.decode()
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mailoutbox[-1].body, re.MULTILINE)
    assert mailoutbox[-1].to == [alice.email] and code is not None
    client.post("/accounts/login/code/confirm/", {"code": code.group(1)})
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert alice.email in response.content.decode() and bob.email not in response.content.decode()


def test_the_code_page_still_waits_for_a_code_asked_for_a_moment_ago(client, alice):
    client.post("/accounts/login/code/", {"email": alice.email})
    assert client.get("/accounts/login/code/confirm/").status_code == 200
