"""Customer forms: text areas say their limit, count towards it, and never cut what is pasted."""

import re

from privacy.forms import AIOutputFlagForm, HumanReviewForm
from privacy.models import AIOutputFlag, HumanReviewRequest
from tests.factories import ConversationFactory, MessageFactory


def _textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>', html)
    assert found is not None
    return found.group()


def test_every_customer_text_area_says_its_limit_and_has_no_maxlength_that_cuts_pasted_text():
    for form, name, limit in ((HumanReviewForm(), "statement", "5,000"), (AIOutputFlagForm(), "comment", "2,000")):
        html = str(form)
        textarea = _textarea(html, name)
        assert "maxlength" not in textarea
        assert f'data-max-chars="{limit.replace(",", "")}"' in textarea
        # The limit in words, which the counter (static/js/char-count.js) turns into a count, describes the field.
        assert re.search(
            rf'<small class="char-count" id="id_{name}_count"[^>]*>Up to {limit} characters.</small>', html
        )
        described_by = re.search(r'aria-describedby="([^"]*)"', textarea)
        assert described_by is not None and f"id_{name}_count" in described_by.group(1).split()
        assert "js/char-count.js" in str(form.media)


def test_the_help_text_still_describes_the_text_area_beside_the_limit():
    textarea = _textarea(str(HumanReviewForm()), "statement")
    assert 'aria-describedby="id_statement_helptext id_statement_count"' in textarea


def test_over_long_text_is_refused_with_a_message_and_everything_typed_is_kept(alice_client, alice):
    conversation = ConversationFactory.create(customer=alice)
    typed = ("All of this matters. " * 240).strip()  # 5,039 characters
    response = alice_client.post(
        f"/human-review/new/interactions.conversation/{conversation.pk}/", {"statement": typed}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This is 39 characters too long: please shorten it to 5,000 characters or fewer." in page
    assert typed in page
    assert not HumanReviewRequest.objects.exists()


def test_an_over_long_flag_note_is_refused_and_kept(alice_client, alice):
    conversation = ConversationFactory.create(customer=alice)
    reply = MessageFactory.create(conversation=conversation, sender="ai", ai_system=conversation.ai_system)
    typed = "x" * 2001
    response = alice_client.post(
        f"/ai-flags/new/interactions.message/{reply.pk}/", {"reason": "wrong", "comment": typed}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This is 1 character too long" in page and typed in page
    assert not AIOutputFlag.objects.exists()


def test_a_line_break_counts_as_one_character_as_the_counter_counts_it():
    # Browsers send a line break as CR LF; the counter, like the browser's own limit, counts it once.
    form = HumanReviewForm({"statement": "abcd\r\n" * 1000})  # 5,000 characters as typed, 6,000 as sent
    assert form.is_valid(), form.errors
    assert form.cleaned_data["statement"] == ("abcd\n" * 1000).strip()
