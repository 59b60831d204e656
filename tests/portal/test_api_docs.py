"""/api/schema/ and /api/docs/: open while developing; in production only to signed-in staff and API tokens."""

import pytest

from privacy import services
from tests.conftest import make_customer
from tests.portal.test_startup import PRODUCTION_ENV, settings_for

PAGES = ["/api/schema/", "/api/docs/"]


@pytest.fixture
def production_like(settings):
    settings.PORTAL_API_DOCS_PUBLIC = False


def test_production_keeps_them_closed_unless_told_otherwise(tmp_path):
    # The settings as production's environment makes them (that a real process starts with it is
    # test_startup's concern).
    closed = settings_for(PRODUCTION_ENV, tmp_path)["PORTAL_API_DOCS_PUBLIC"]
    opened = settings_for({**PRODUCTION_ENV, "API_DOCS_PUBLIC": "true"}, tmp_path)["PORTAL_API_DOCS_PUBLIC"]
    assert (closed, opened) == (False, True)


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_told_to_authenticate(client, db, production_like, page):
    response = client.get(page)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert b"/api/v1/" not in response.content


@pytest.mark.parametrize("page", PAGES)
def test_a_signed_in_customer_is_refused(alice_client, production_like, page):
    response = alice_client.get(page)
    assert response.status_code == 403
    assert b"/api/v1/" not in response.content


@pytest.mark.parametrize("page", PAGES)
def test_a_wrong_token_is_refused(client, db, production_like, page):
    assert client.get(page, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


@pytest.mark.parametrize("page", PAGES)
def test_signed_in_staff_read_them(client, db, production_like, page):
    client.force_login(make_customer("officer@example.com", is_staff=True))
    response = client.get(page)
    assert response.status_code == 200
    if page == "/api/schema/":
        assert b"/api/v1/conversations/" in response.content


@pytest.mark.parametrize("scope", ["permissions:read", "interactions:write", "monitoring:write"])
@pytest.mark.parametrize("page", PAGES)
def test_any_api_token_reads_them(client, db, production_like, page, scope):
    _, token = services.api_client_create(name=f"Client with {scope}", scopes=[scope])
    response = client.get(page, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_while_developing_anyone_reads_them(client, db, page):
    assert client.get(page).status_code == 200
