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
