import re

import pytest

PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/accounts/login/code/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_a_strict_content_security_policy(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_no_page_has_inline_script_or_third_party_assets(client, path):
    html = client.get(path).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        # Executable scripts come from our own static files; JSON data blocks are inert.
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "a page refers to another host"


def test_signed_in_pages_carry_the_policy_too(alice_client):
    response = alice_client.get("/dashboard/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def _paths_without_arguments(patterns=None, prefix=""):
    """Every URL of the portal that takes no argument (admin and static files aside)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = str(pattern.pattern)
        if "<" in route or "(?P" in route or route.startswith(("admin/", "static/", "^static")):
            continue
        route = route.lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(pattern, URLResolver):
            yield from _paths_without_arguments(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + route


def test_every_signed_in_response_is_kept_by_no_browser_or_proxy(client, alice):
    client.force_login(alice)
    paths = sorted(set(_paths_without_arguments()))
    assert {"/dashboard/", "/my-data/", "/requests/", "/accounts/2fa/totp/activate/"} <= set(paths)
    for path in paths:
        client.force_login(alice)  # some pages (sign-out) end the session
        response = client.get(path)
        cache_control = response.get("Cache-Control", "")
        assert "no-store" in cache_control and "private" in cache_control, (path, cache_control)


def test_the_permission_api_answers_are_not_stored_either(client, alice):
    from privacy import services

    _, token = services.api_client_create(name="crm", scopes=["permissions:read"])
    response = client.get(f"/api/v1/customers/{alice.public_id}/ai-permissions/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/static/css/portal.css", "/healthz"])
def test_every_response_denies_the_browser_features_the_portal_does_not_use(client, path):
    policy = client.get(path)["Permissions-Policy"]
    for denied in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert denied in policy
    assert "publickey-credentials-get=(self)" in policy  # passkeys keep working
