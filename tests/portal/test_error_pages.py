import pytest


@pytest.mark.django_db
def test_an_unknown_page_answers_404_in_the_portals_own_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()


def test_a_customer_refused_the_admin_sees_the_portals_403_page(alice_client):
    response = alice_client.get("/admin/login/")
    assert response.status_code == 403
    assert "You can't open this page" in response.content.decode()


def test_the_favicon_address_browsers_guess_leads_to_our_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/static/favicon.svg")
