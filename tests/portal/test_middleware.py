"""Which language a page is in (portal.middleware.CustomerLanguageMiddleware).

`<html lang>` and Content-Language say which language Django activated; they
do not depend on how far the translators have got with the catalogues.
"""

import re

from django.urls import get_resolver


def page_language(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, response.content.decode()[:500]
    assert response["Content-Language"] == match.group(1)
    return match.group(1)


def test_a_signed_out_visitor_reads_the_language_their_browser_asks_for(client):
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9,en;q=0.5")) == "es"
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.9")) == "de"


def test_a_language_the_portal_does_not_offer_falls_back_to_english(client):
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")) == "en"
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="ja")) == "en"


def test_a_page_says_it_varies_by_language_so_no_cache_mixes_them_up(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de")
    vary = {value.strip().lower() for value in response["Vary"].split(",")}
    # The cookie too: the switcher's choice lives in one.
    assert {"accept-language", "cookie"} <= vary


def test_a_signed_in_customers_preferred_language_wins_over_the_browser(client, alice, bob, client_factory):
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    client.force_login(alice)
    assert page_language(client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="es,en;q=0.5")) == "de"
    # And over a language cookie left on this browser by someone else.
    client.cookies["django_language"] = "es"
    assert page_language(client.get("/dashboard/")) == "de"
    # Bob's preference is his own: English, whatever Alice chose.
    bobs = client_factory()
    bobs.force_login(bob)
    assert page_language(bobs.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="es")) == "en"


def test_a_withdrawn_preferred_language_falls_back_to_english(client, alice):
    # "fr" was offered once, without a catalogue; Django's own French must not take over the page.
    alice.preferred_language = "fr"
    alice.save(update_fields=["preferred_language"])
    client.force_login(alice)
    assert page_language(client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="fr,de;q=0.5")) == "en"


def test_no_url_has_a_language_prefix(client):
    assert not any(pattern.pattern.regex.pattern.startswith("^(en|es|de)") for pattern in get_resolver().url_patterns)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de").status_code == 200
    for prefixed in ("/de/", "/es/dashboard/"):
        response = client.get(prefixed, HTTP_ACCEPT_LANGUAGE="de")
        assert response.status_code == 404, prefixed
