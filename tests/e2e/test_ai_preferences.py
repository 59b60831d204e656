import re

import pytest
from playwright.sync_api import expect

from privacy.selectors import ai_permissions
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def chat_assistant_allowed(user) -> bool:
    return next(p for p in ai_permissions(user=user) if p.purpose.slug == "ai-chat-assistant").allowed


def test_alice_switches_a_purpose_off_and_on_and_sees_her_timeline(page, alice):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="AI choices").click()
    page.wait_for_url("**/preferences/")

    card = page.locator("#purpose-ai-chat-assistant")
    card.get_by_role("button", name="Switch off").click()
    card.get_by_role("button", name="Switch on").wait_for()  # swapped in place by htmx
    assert page.url.endswith("/preferences/")
    assert not chat_assistant_allowed(alice)
    timeline = page.locator("#consent-timeline")
    assert timeline.get_by_text("AI chat assistant answers first: off").is_visible()

    card = page.locator("#purpose-ai-chat-assistant")
    card.get_by_role("button", name="Switch on").click()
    card.get_by_role("button", name="Switch off").wait_for()
    assert chat_assistant_allowed(alice)
    assert timeline.get_by_text("AI chat assistant answers first: on").is_visible()
    assert card.get_by_text("Your choice on").is_visible()
    assert page.recorder.console_errors == []
    assert page.recorder.foreign_requests() == []


def test_without_javascript_the_switch_still_works(browser, live_server, alice):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    page.goto("/preferences/")
    page.locator("#purpose-ai-chat-assistant").get_by_role("button", name="Switch off").click()
    page.wait_for_load_state()
    assert not chat_assistant_allowed(alice)
    assert page.get_by_text("is now off").is_visible()
    context.close()


def _sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^e-?mail", re.IGNORECASE)).fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.IGNORECASE)).click()
    page.wait_for_url("**/dashboard/")


def test_a_switch_pressed_with_the_keyboard_is_announced_and_keeps_the_focus(page, alice):
    _sign_in(page, alice)
    page.goto("/preferences/")
    status = page.locator("#preferences-status")
    card = page.locator("#purpose-ai-chat-assistant")

    card.get_by_role("button", name="Switch off").focus()
    page.keyboard.press("Enter")
    switched_on = card.get_by_role("button", name="Switch on")
    expect(status).to_have_text("“AI chat assistant answers first” is now off.")
    expect(switched_on).to_be_focused()  # not the page's body: the next key press acts where the customer is
    assert not chat_assistant_allowed(alice)

    page.keyboard.press("Space")
    expect(status).to_have_text("“AI chat assistant answers first” is now on.")
    expect(card.get_by_role("button", name="Switch off")).to_be_focused()
    assert chat_assistant_allowed(alice)
    assert page.url.endswith("/preferences/")  # swapped in place, not reloaded
    assert page.recorder.console_errors == []


def _hsl_saturation(rgb: tuple[int, int, int]) -> float:
    high, low = max(rgb) / 255, min(rgb) / 255
    if high == low:
        return 0.0
    lightness = (high + low) / 2
    return (high - low) / (high + low if lightness <= 0.5 else 2 - high - low)


def _luminance(rgb: tuple[int, int, int]) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _rgb(css_colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(n) for n in re.findall(r"\d+", css_colour)[:3])
    return red, green, blue


def _colours(page, selector: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    background, text = page.locator(selector).first.evaluate(
        "(el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
    )
    return _rgb(background), _rgb(text)


def test_on_and_off_badges_are_neutral_and_readable(page, alice):
    _sign_in(page, alice)
    page.goto("/preferences/")
    for state in ("on", "off"):
        badge = f".purpose .state mark:text-is('{state}')"
        background, text = _colours(page, badge)
        # Neither a warning (yellow) nor an approval (green): grey tones, with AA contrast.
        assert _hsl_saturation(background) < 0.35 and _hsl_saturation(text) < 0.35, (state, background, text)
        lighter, darker = sorted((_luminance(background), _luminance(text)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (state, background, text)
