import pytest

from tests.conftest import PASSWORD
from tests.factories import give_history

pytestmark = pytest.mark.e2e


def test_alice_opens_my_data_and_sees_her_conversations_and_what_ai_concluded(page, alice, bob):
    give_history(alice, marker="Alice-history")
    give_history(bob, marker="Bob-history")
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    page.get_by_role("link", name="My data").click()
    page.wait_for_url("**/my-data/")
    assert page.get_by_role("heading", name="The data we hold about you").is_visible()
    assert page.get_by_role("heading", name="AI and you").is_visible()
    assert page.get_by_text("Alice-history subject 0").first.is_visible()
    assert page.get_by_text("inferred by AI").first.is_visible()
    assert "Bob-history" not in page.content()
    page.get_by_text("Why we hold it, for how long, and what erasure does").first.click()
    assert page.get_by_text("Needed to provide the service you signed up for").first.is_visible()
    assert page.recorder.foreign_requests() == []
    assert page.recorder.console_errors == []


def test_the_api_docs_page_works_without_any_other_host(page, db):
    page.goto("/api/docs/")
    page.get_by_text("/api/v1/conversations/").first.wait_for()
    assert page.recorder.foreign_requests() == []
    assert [e for e in page.recorder.console_errors if "Content Security Policy" in e] == []
