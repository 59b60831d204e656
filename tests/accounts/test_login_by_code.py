import re


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
