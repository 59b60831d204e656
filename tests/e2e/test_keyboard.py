"""A customer who uses only the keyboard signs in, switches an AI use off and asks for an export.

Only Tab, typing, Enter and Space: no click, no focus() and no goto after the first page.
Every element the Tab key reaches must show where the focus is (an outline, on screen),
and the first on each page must be the link that skips to the main content.
"""

import re
from typing import Any

import pytest

from privacy.models import PrivacyRequest
from privacy.selectors import ai_permissions
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

SIZES = {"1280x900": {"width": 1280, "height": 900}, "390x844": {"width": 390, "height": 844}}
# Enough for the longest page of the journey (AI choices) and a wrap back to its top.
MOST_TABS = 120

FOCUSED = """() => {
    const element = document.activeElement;
    if (!element || element === document.body || element === document.documentElement) return null;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return {
        description: `${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""} “${(element.innerText || element.value || "").trim().slice(0, 60)}”`,
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
            && box.top < window.innerHeight && box.left < window.innerWidth,
    };
}"""


def focused(page) -> dict[str, Any] | None:
    return page.evaluate(FOCUSED)


def tab_to(page, wanted: str) -> str:
    """Press Tab until the focused element matches `wanted` (a JavaScript predicate of it).

    Fails on any element reached on the way whose focus cannot be seen.
    """
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is None:
            continue  # past the last element the focus leaves the page once, then starts again at the top
        assert now["outline"], f"no visible focus outline on {now['description']} ({page.url})"
        assert now["onScreen"], f"the focused {now['description']} is off the screen ({page.url})"
        if page.evaluate(f"({wanted})(document.activeElement)"):
            return now["description"]
    raise AssertionError(f"Tab never reached {wanted} on {page.url}")


def first_tab_is_the_skip_link(page) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('a.skip-link[href=\"#main\"]')"), (
        f"the first Tab on {page.url} reaches {focused(page)}, not the skip link"
    )
    skip_link = focused(page)
    assert skip_link is not None and skip_link["outline"] and skip_link["onScreen"], (
        f"the skip link is hidden on {page.url}"
    )


def is_link_to(path: str) -> str:
    return f'(element) => element.matches("a[href]") && new URL(element.href).pathname === "{path}"'


def is_field(field_id: str) -> str:
    return f'(element) => element.id === "{field_id}"'


def is_submit_of_form_to(path: str) -> str:
    return (
        "(element) => element.type === 'submit' && element.form !== null"
        f" && element.form.method === 'post' && new URL(element.form.action).pathname === '{path}'"
    )


def chat_assistant_allowed(user) -> bool:
    return next(p for p in ai_permissions(user=user) if p.purpose.slug == "ai-chat-assistant").allowed


@pytest.mark.parametrize("size", SIZES)
def test_a_keyboard_user_signs_in_switches_an_ai_use_off_and_asks_for_an_export(page, alice, size):
    page.set_viewport_size(SIZES[size])
    assert chat_assistant_allowed(alice)
    page.goto("/accounts/login/")  # the only step not taken with the keys

    first_tab_is_the_skip_link(page)
    tab_to(page, is_field("id_login"))
    page.keyboard.type(alice.email)
    tab_to(page, is_field("id_password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/")

    first_tab_is_the_skip_link(page)
    tab_to(page, is_link_to("/preferences/"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/preferences/")

    first_tab_is_the_skip_link(page)
    switch = tab_to(page, "(element) => element.matches('#purpose-ai-chat-assistant button[type=submit]')")
    assert "Switch off" in switch
    page.keyboard.press("Space")
    page.locator("#purpose-ai-chat-assistant").get_by_role("button", name="Switch on").wait_for()
    assert not chat_assistant_allowed(alice)
    assert page.axe.check_now() == []  # the card as htmx swapped it in

    # On to the dashboard through the portal's name at the top (the focus wraps round).
    tab_to(page, is_link_to("/dashboard/"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/")
    first_tab_is_the_skip_link(page)
    tab_to(page, is_link_to("/requests/export/"))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/requests/export/" in url)
    if "/accounts/reauthenticate/" in page.url:  # the password again, if allauth asks for it
        first_tab_is_the_skip_link(page)
        tab_to(page, is_field("id_password"))
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/requests/export/")

    first_tab_is_the_skip_link(page)
    tab_to(page, is_submit_of_form_to("/requests/export/"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    export = PrivacyRequest.objects.get(user=alice, kind=PrivacyRequest.Kind.EXPORT)
    assert page.url.endswith(f"/requests/{export.pk}/")
    assert page.get_by_role("status").first.is_visible()
    assert page.recorder.console_errors == []
