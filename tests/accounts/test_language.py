"""Choosing the language: the switcher at the foot of every page, and the profile's preferred language."""

import pytest

from tests.conftest import sign_in_recently
from tests.portal.test_middleware import page_language

pytestmark = pytest.mark.django_db


def switch(client, language: str, next_url: str, **extra):
    return client.post("/language/", {"language": language, "next": next_url}, **extra)


def test_every_page_has_a_switcher_that_returns_to_the_same_page(client):
    page = client.get("/ai/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'action="/language/"' in page and 'name="next" value="/ai/"' in page
    assert 'name="csrfmiddlewaretoken"' in page  # a plain, protected form: no JavaScript needed
    for code, name in (("en", "English"), ("es", "Español"), ("de", "Deutsch")):
        assert f'<option value="{code}" lang="{code}"' in page and name in page
    assert 'value="fr"' not in page


def test_the_switcher_sets_the_language_of_a_signed_out_visitor_and_returns_to_the_same_page(client):
    response = switch(client, "de", "/ai/?tab=systems", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302 and response["Location"] == "/ai/?tab=systems"
    assert response.cookies["django_language"].value == "de"
    assert page_language(client.get("/ai/", HTTP_ACCEPT_LANGUAGE="es")) == "de"  # the choice beats the browser


def test_the_switcher_never_sends_a_visitor_to_another_site(client):
    for outside in ("https://evil.example/", "//evil.example/ai/", "https:/evil.example"):
        response = switch(client, "es", outside)
        assert response.status_code == 302
        assert response["Location"] == "/", outside
    assert response.cookies["django_language"].value == "es"


def test_the_switcher_refuses_a_language_the_portal_does_not_offer(client):
    response = switch(client, "fr", "/ai/")
    assert response["Location"] == "/ai/" and "django_language" not in response.cookies
    assert page_language(client.get("/ai/", HTTP_ACCEPT_LANGUAGE="en")) == "en"


def test_the_switcher_is_protected_against_cross_site_requests(client_factory):
    foreign = client_factory(enforce_csrf_checks=True)
    response = foreign.post("/language/", {"language": "de", "next": "/"})
    assert response.status_code == 403
    assert "django_language" not in response.cookies


def test_a_signed_in_customer_who_switches_saves_it_as_their_preferred_language(alice_client, alice, bob):
    response = switch(alice_client, "es", "/dashboard/")
    assert response["Location"] == "/dashboard/"
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.preferred_language == "es"
    assert bob.preferred_language == "en"  # nobody else's changes
    assert page_language(alice_client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="de")) == "es"


def test_changing_the_preferred_language_on_the_profile_switches_the_very_next_page(client, alice, bob):
    sign_in_recently(client, alice.email)
    assert page_language(client.get("/profile/")) == "en"
    response = client.post("/profile/edit/", {"full_name": "Alice Archer", "preferred_language": "de"})
    assert response["Location"] == "/profile/"
    assert response.cookies["django_language"].value == "de"  # kept after signing out too
    page = client.get("/profile/")
    assert page_language(page) == "de"
    assert "Deutsch" in page.content.decode()
    bob.refresh_from_db()
    assert bob.preferred_language == "en"
