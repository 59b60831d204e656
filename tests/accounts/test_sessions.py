from allauth.usersessions.models import UserSession

from tests.conftest import sign_in


def test_the_sessions_page_lists_the_customers_sessions_and_no_one_elses(client, client_factory, alice, bob):
    bobs_device = client_factory(HTTP_USER_AGENT="BobsPhoneBrowser/7.0")
    sign_in(bobs_device, bob.email)
    client.defaults["HTTP_USER_AGENT"] = "AlicesLaptopBrowser/1.0"
    sign_in(client, alice.email)
    response = client.get("/accounts/sessions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "AlicesLaptopBrowser/1.0" in page and "BobsPhoneBrowser" not in page
    assert UserSession.objects.filter(user=alice).count() == 1


def test_signing_out_other_sessions_ends_them(client, client_factory, alice):
    other_device = client_factory()
    sign_in(other_device, alice.email)
    sign_in(client, alice.email)
    assert UserSession.objects.filter(user=alice).count() == 2
    client.post("/accounts/sessions/", {"action": "logout"})
    assert UserSession.objects.filter(user=alice).count() == 1
    assert other_device.get("/dashboard/").status_code == 302
