import pytest
from django.utils import translation

from portal.errors import server_error


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


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/no-such-endpoint/", "/api/v2/", "/api/v1/customers/not-a-uuid/consents/"])
def test_an_unknown_api_address_answers_the_apis_json_404_not_a_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(("path", "content_type"), [("/api/v1/ping/", "application/json"), ("/my-data/", "text/html")])
def test_a_server_error_answers_json_under_the_api_and_a_page_elsewhere(rf, path, content_type):
    response = server_error(rf.get(path))
    assert response.status_code == 500
    assert response["Content-Type"].startswith(content_type)


@pytest.mark.django_db
def test_the_error_pages_read_in_the_visitors_language(client, alice, client_factory, rf):
    not_found = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="de")
    assert not_found.status_code == 404
    assert "Diese Seite finden wir nicht" in not_found.content.decode()
    alice.preferred_language = "es"
    alice.save(update_fields=["preferred_language"])
    alices = client_factory()
    alices.force_login(alice)
    refused = alices.get("/admin/login/")
    assert refused.status_code == 403
    assert "No puede abrir esta página" in refused.content.decode()
    with translation.override("es"):
        failed = server_error(rf.get("/my-data/")).content.decode()
    assert '<html lang="es">' in failed and "Algo ha fallado por nuestra parte" in failed
    assert "Something went wrong" not in failed
