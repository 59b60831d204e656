"""The customer's "Decisions our AI made about you" pages, and contesting a decision."""

import html

import pytest

from interactions.models import AIDecision
from privacy import services
from privacy.models import AuditEvent, HumanReviewRequest
from tests.factories import AIDecisionFactory, give_history


@pytest.fixture
def alices_decision(alice):
    return AIDecisionFactory.create(
        customer=alice, reasons=[{"text": "ALICE-REASON: the parcel was signed for.", "weight": 0.7}]
    )


@pytest.fixture
def bobs_decision(bob):
    return AIDecisionFactory.create(
        customer=bob, outcome_label="BOB-OUTCOME", reasons=[{"text": "BOB-REASON", "weight": None}]
    )


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_list_shows_each_decision_with_its_outcome_in_words_and_nothing_of_bobs(
    alice_client, alices_decision, bobs_decision
):
    text = page(alice_client, "/decisions/")
    assert "Refund request: Refund declined" in text and "Not in your favour" in text
    assert "ALICE-REASON" in text and "Refund assistant" in text and "decided by AI alone" in text
    assert "BOB-OUTCOME" not in text and "BOB-REASON" not in text


def test_a_decision_page_shows_reasons_system_link_time_and_whether_a_person_took_part(alice_client, alices_decision):
    text = page(alice_client, f"/decisions/{alices_decision.pk}/")
    assert "ALICE-REASON: the parcel was signed for." in text and "weight 0.70" in text
    assert "/ai/#ai-refund-assistant" in text
    assert "No — our AI decided on its own" in text and "version 2.3" in text and "80 %" in text
    assert "Ask a person to review this decision" in text


def test_bob_gets_404_for_alices_decision(bob_client, alices_decision):
    assert bob_client.get(f"/decisions/{alices_decision.pk}/").status_code == 404
    response = bob_client.post(f"/human-review/new/interactions.aidecision/{alices_decision.pk}/", {"statement": ""})
    assert response.status_code == 404
    assert not HumanReviewRequest.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, alices_decision):
    assert client.get("/decisions/")["Location"].startswith("/accounts/login/")
    assert client.get(f"/decisions/{alices_decision.pk}/")["Location"].startswith("/accounts/login/")


def test_one_click_asks_a_person_to_review_and_the_decision_page_shows_it(alice_client, alice, alices_decision):
    response = alice_client.post(
        f"/human-review/new/interactions.aidecision/{alices_decision.pk}/", {"statement": "", "contests_outcome": "on"}
    )
    assert response.status_code == 302 and response["Location"] == f"/decisions/{alices_decision.pk}/"
    review = HumanReviewRequest.objects.get()
    assert (review.user, review.subject, review.contests_outcome, review.statement) == (
        alice,
        alices_decision,
        True,
        "",
    )
    text = page(alice_client, f"/decisions/{alices_decision.pk}/")
    assert "Waiting for a person" in text and "Ask a person to review this decision" not in text
    assert AuditEvent.objects.filter(action="human_review.requested", object_id=str(review.pk)).exists()


def test_a_second_click_does_not_queue_the_same_review_twice(alice_client, alices_decision):
    url = f"/human-review/new/interactions.aidecision/{alices_decision.pk}/"
    alice_client.post(url, {"statement": "", "contests_outcome": "on"})
    alice_client.post(url, {"statement": "Again", "contests_outcome": "on"})
    assert HumanReviewRequest.objects.count() == 1


def test_the_review_page_shows_the_decision_it_is_about(alice_client, alice, alices_decision):
    alice_client.post(
        f"/human-review/new/interactions.aidecision/{alices_decision.pk}/", {"statement": "It arrived broken."}
    )
    review = HumanReviewRequest.objects.get()
    text = page(alice_client, f"/human-review/{review.pk}/")
    assert "What you asked about: Refund request: Refund declined" in text
    assert "Refund declined" in text and "ALICE-REASON" in text and f"/decisions/{alices_decision.pk}/" in text


def test_a_changed_decision_shows_the_new_outcome_and_the_original(
    alice_client, alice, alices_decision, mailoutbox, django_capture_on_commit_callbacks
):
    review = services.human_review_request(
        user=alice, source=_decisions_source(), row=alices_decision, statement="", contests_outcome=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.human_review_answer(
            review=review,
            answer="The parcel was never signed for: refunded.",
            staff_user=None,
            result="changed",
            new_outcome="favourable",
            new_outcome_label="Refund approved",
        )
    alices_decision.refresh_from_db()
    assert (alices_decision.review_result, alices_decision.final_outcome, alices_decision.outcome) == (
        "changed",
        "favourable",
        "unfavourable",  # the AI's own outcome stays, for the audits
    )
    text = page(alice_client, f"/decisions/{alices_decision.pk}/")
    assert (
        "Refund approved" in text
        and "In your favour" in text
        and "A person reviewed our AI's decision and changed it" in text
    )
    assert "Refund declined" in text  # what the AI had decided, struck through
    assert "The parcel was never signed for: refunded." in text
    assert [m.to for m in mailoutbox] == [[alice.email]]


def test_a_change_must_name_the_new_outcome(alice, alices_decision):
    review = services.human_review_request(
        user=alice, source=_decisions_source(), row=alices_decision, statement="", contests_outcome=True
    )
    with pytest.raises(ValueError, match="new outcome"):
        services.human_review_answer(review=review, answer="Changed.", staff_user=None, result="changed")
    with pytest.raises(ValueError, match="upheld"):
        services.human_review_answer(review=review, answer="Hm.", staff_user=None, result="maybe")
    alices_decision.refresh_from_db()
    assert alices_decision.review_result == ""


def test_an_upheld_decision_says_it_stands(alice_client, alice, alices_decision):
    review = services.human_review_request(
        user=alice, source=_decisions_source(), row=alices_decision, statement="", contests_outcome=True
    )
    services.human_review_answer(
        review=review, answer="The courier's photo shows it delivered.", staff_user=None, result="upheld"
    )
    text = page(alice_client, f"/decisions/{alices_decision.pk}/")
    assert "it stands" in text and "Refund declined" in text
    assert AIDecision.objects.get().final_outcome == ""


def test_my_data_lists_decisions_in_their_own_section_with_links(alice_client, alices_decision):
    text = page(alice_client, "/my-data/")
    assert "Decisions our AI made about you" in text
    assert f'href="/decisions/{alices_decision.pk}/"' in text
    assert "Decisions AI made about you" in text  # the "AI and you" summary counts them


def _decisions_source():
    from privacy.registry import registry

    return registry.source("interactions.aidecision")


def test_a_reviewed_decision_is_not_reviewed_again_and_its_answer_stays_in_view(alice_client, alice, alices_decision):
    url = f"/human-review/new/interactions.aidecision/{alices_decision.pk}/"
    alice_client.post(url, {"statement": "", "contests_outcome": "on"})
    review = HumanReviewRequest.objects.get()
    services.human_review_answer(
        review=review,
        answer="We approved your refund.",
        staff_user=None,
        result="changed",
        new_outcome="favourable",
        new_outcome_label="Refund approved",
    )
    alice_client.post(url, {"statement": "And again", "contests_outcome": "on"})
    assert HumanReviewRequest.objects.count() == 1
    text = page(alice_client, f"/decisions/{alices_decision.pk}/")
    assert "We approved your refund." in text and "Ask a person to review this decision" not in text
    assert "Yes — a person reviewed it at your request" in text


def test_my_data_shows_the_decision_after_review_and_sends_contesting_to_the_decision_page(
    alice_client, alice, alices_decision
):
    review = services.human_review_request(
        user=alice, source=_decisions_source(), row=alices_decision, statement="", contests_outcome=True
    )
    services.human_review_answer(
        review=review,
        answer="Refunded.",
        staff_user=None,
        result="changed",
        new_outcome="favourable",
        new_outcome_label="Refund approved",
    )
    text = page(alice_client, "/my-data/")
    assert "Refund approved" in text and "A person changed the decision" in text
    assert f"/human-review/new/interactions.aidecision/{alices_decision.pk}/" not in text


def test_the_review_list_names_what_each_review_is_about(alice_client, alice, alices_decision):
    alice_client.post(f"/human-review/new/interactions.aidecision/{alices_decision.pk}/", {"statement": ""})
    assert "Refund request: Refund declined" in page(alice_client, "/human-review/")


def test_the_note_to_the_reviewer_says_its_limit_and_counts_it(alice_client, alices_decision):
    shown = page(alice_client, f"/decisions/{alices_decision.pk}/")
    assert "Up to 5,000 characters." in shown
    assert "js/char-count.js" in shown
    assert "maxlength" not in shown


def test_a_german_customers_decisions_conversations_and_messages_read_in_german(
    alice, alice_client, alices_decision, bob
):
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    give_history(alice, marker="ALICE-MARK")
    text = page(alice_client, "/my-data/")
    # The kinds of data and their columns ...
    assert "Entscheidungen unserer KI über Sie" in text and "Unsere KI entschied" in text
    assert "Ihre Gespräche" in text and "Bearbeitet von" in text
    # ... and the choices' labels among the values: the channel, who handled it, who wrote.
    assert "Web-Chat" in text and "KI-Assistent" in text
    assert "Web chat" not in text and "AI assistant" not in text
    assert "Decisions our AI made about you" not in text
    assert "BOB" not in text


def test_who_wrote_a_message_reads_you_in_spanish(alice, alice_client):
    alice.preferred_language = "es"
    alice.save(update_fields=["preferred_language"])
    [conversation] = give_history(alice, conversations=1, marker="ALICE-MARK")
    conversation.messages.update(sender="customer")
    text = page(alice_client, "/my-data/interactions.message/")
    assert "Usted" in text and "Mensajes de sus conversaciones" in text
