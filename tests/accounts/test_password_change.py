from tests.conftest import PASSWORD, sign_in_recently


def test_changing_the_password_signs_out_and_sends_a_security_notice(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    sign_in_recently(client, alice.email)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": "fresh-river-stone-9", "password2": "fresh-river-stone-9"},
        )
    assert response["Location"] == "/accounts/login/"  # not back to the form they can no longer see
    assert client.get("/dashboard/").status_code == 302  # signed out
    assert any("password" in message.subject.lower() for message in mailoutbox if message.to == [alice.email])
    alice.refresh_from_db()
    assert alice.check_password("fresh-river-stone-9")


def test_security_e_mails_name_the_portal_not_the_host(client, alice, mailoutbox, django_capture_on_commit_callbacks):
    sign_in_recently(client, alice.email)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": "fresh-river-stone-9", "password2": "fresh-river-stone-9"},
        )
    body = mailoutbox[-1].body
    assert "Hello from the Privacy portal!" in body
    assert "Hello from testserver" not in body
