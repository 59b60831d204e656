"""Asking a person to review, and flagging what an AI wrote, in a real browser."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from privacy import services
from privacy.models import AIOutputFlag
from privacy.registry import registry
from tests.conftest import PASSWORD
from tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.e2e


def sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^e-?mail", re.IGNORECASE)).fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.IGNORECASE)).click()
    page.wait_for_url("**/dashboard/")


def test_the_text_area_counts_characters_as_alice_types_and_cuts_nothing(page, alice):
    conversation = ConversationFactory.create(customer=alice, subject="Discount code not working")
    sign_in(page, alice)
    page.goto(f"/human-review/new/interactions.conversation/{conversation.pk}/")
    statement = page.get_by_label("What would you like a person to look at?")
    counter = page.locator("#id_statement_count")
    expect(counter).to_have_text("0 of 5,000 characters")

    statement.press_sequentially("The bot said no.")
    expect(counter).to_have_text("16 of 5,000 characters")
    assert statement.get_attribute("aria-describedby").split() == ["id_statement_helptext", "id_statement_count"]

    pasted = "x" * 5010
    statement.fill(pasted)  # as a paste: nothing is cut
    expect(counter).to_have_text("5,010 of 5,000 characters: 10 too many")
    assert len(statement.input_value()) == 5010

    page.get_by_role("button", name="Send to our team").click()
    expect(page.get_by_text("This is 10 characters too long")).to_be_visible()
    assert statement.input_value() == pasted  # given back to shorten
    expect(counter).to_have_text("5,010 of 5,000 characters: 10 too many")
    assert page.recorder.console_errors == []


def test_flagging_a_message_returns_to_it_and_shows_it_flagged(page, alice):
    conversation = ConversationFactory.create(customer=alice)
    start = timezone.now() - timedelta(days=1)
    replies = [
        MessageFactory.create(
            conversation=conversation,
            sender="ai",
            ai_system=conversation.ai_system,
            body=f"AI reply number {n:03}",
            sent_at=start + timedelta(minutes=n),
        )
        for n in range(60)
    ]
    target = replies[20]  # newest first, 25 a page: the 40th newest, on page 2
    sign_in(page, alice)
    page.goto("/my-data/interactions.message/?page=2")
    row = page.locator("tr", has_text="AI reply number 020")
    row.get_by_role("link", name="Flag as wrong or unfair").click()
    page.get_by_label("Wrong or misleading").check()
    page.get_by_role("button", name="Send flag").click()

    page.wait_for_url(re.compile(rf"/my-data/interactions\.message/\?page=2#interactions-message-{target.pk}$"))
    row = page.locator(f"#interactions-message-{target.pk}")
    expect(row).to_contain_text("AI reply number 020")
    expect(row).to_be_in_viewport()
    expect(row.get_by_text("You flagged this")).to_be_visible()
    expect(row.get_by_role("link", name="Flag as wrong or unfair")).to_have_count(0)
    assert AIOutputFlag.objects.filter(object_id=target.pk).count() == 1
    assert page.recorder.console_errors == []


def test_the_review_pages_fit_a_phone_and_name_what_was_asked_about(page, alice):
    conversation = ConversationFactory.create(customer=alice, subject="Discount code not working")
    MessageFactory.create(conversation=conversation, body="My code SAVE10 is refused.")
    review = services.human_review_request(
        user=alice,
        source=registry.source("interactions.conversation"),
        row=conversation,
        statement="The bot would not listen.",
        contests_outcome=True,
    )
    sign_in(page, alice)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/human-review/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name=str(conversation)).click()
    page.wait_for_url(f"**/human-review/{review.pk}/")
    expect(page.get_by_text("Discount code not working")).to_be_visible()
    expect(page.get_by_text("My code SAVE10 is refused.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
