import pytest

from privacy.selectors import ai_permissions
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def chat_assistant_allowed(user) -> bool:
    return next(p for p in ai_permissions(user=user) if p.purpose.slug == "ai-chat-assistant").allowed


def test_alice_switches_a_purpose_off_and_on_and_sees_her_timeline(page, alice):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
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
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")
    page.goto("/preferences/")
    page.locator("#purpose-ai-chat-assistant").get_by_role("button", name="Switch off").click()
    page.wait_for_load_state()
    assert not chat_assistant_allowed(alice)
    assert page.get_by_text("is now off").is_visible()
    context.close()
