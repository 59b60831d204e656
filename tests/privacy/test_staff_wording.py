"""Staff screens speak staff language: the rows a review is about, and AI decisions, are not described as "yours"."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from interactions.models import AIDecision, Conversation
from privacy.models import AIOutputFlag, HumanReviewRequest
from tests.conftest import make_customer
from tests.factories import AIDecisionFactory, AISystemFactory, ConversationFactory, MessageFactory

SPEAKS_TO_THE_CUSTOMER = re.compile(r"\byour\b|>You<|\bmade about you\b", re.IGNORECASE)


@pytest.fixture
def officer(db, settings):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    return make_customer("officer@example.com", is_staff=True, is_superuser=True)


def review_of(row, user):
    return HumanReviewRequest.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(type(row)),
        object_id=row.pk,
        statement="Please check.",
        due_at=user.date_joined,
    )


def the_subject(html: str) -> str:
    """The part of a review's admin page that shows what it is about."""
    start = html.index("What the customer asked")
    return html[start : html.index("The answer", start)]


def test_a_review_of_a_conversation_names_its_rows_in_staff_words(client, officer, alice, bob):
    conversation = ConversationFactory.create(customer=alice)
    MessageFactory.create(conversation=conversation, sender="customer", body="Where is my parcel?")
    MessageFactory.create(conversation=ConversationFactory.create(customer=bob), body="BOB'S MESSAGE")
    review = review_of(conversation, alice)
    client.force_login(officer)
    html = client.get(f"/admin/privacy/humanreviewrequest/{review.pk}/change/").content.decode()
    subject = the_subject(html)
    assert "Conversations" in subject and "Messages" in subject and "customer" in subject
    assert "Where is my parcel?" in subject and "BOB&#x27;S MESSAGE" not in html
    assert not SPEAKS_TO_THE_CUSTOMER.findall(subject)


def test_a_review_of_a_decision_states_its_outcome_plainly(client, officer, alice):
    decision = AIDecisionFactory.create(customer=alice, outcome="unfavourable")
    review = review_of(decision, alice)
    client.force_login(officer)
    subject = the_subject(client.get(f"/admin/privacy/humanreviewrequest/{review.pk}/change/").content.decode())
    assert "unfavourable" in subject and not SPEAKS_TO_THE_CUSTOMER.findall(subject)


def test_the_ai_decision_list_and_its_filter_state_outcomes_plainly(client, officer, alice):
    AIDecisionFactory.create(customer=alice, outcome="unfavourable")
    client.force_login(officer)
    html = client.get("/admin/interactions/aidecision/").content.decode()
    assert "Unfavourable" in html and "in your favour" not in html.lower()
    listed = client.get("/admin/interactions/aidecision/?outcome=unfavourable").context["cl"].result_list
    assert [d.outcome for d in listed] == ["unfavourable"]
    assert AIDecision.objects.count() == 1 and Conversation.objects.count() == 0


def test_the_purpose_list_states_the_legal_basis_in_staff_words(client, officer):
    client.force_login(officer)
    html = client.get("/admin/privacy/aipurpose/").content.decode()
    assert "on until the customer opts out" in html and "until you switch it" not in html


def test_an_answered_review_offers_no_save_button(client, officer, alice, django_capture_on_commit_callbacks):
    review = review_of(ConversationFactory.create(customer=alice), alice)
    client.force_login(officer)
    url = f"/admin/privacy/humanreviewrequest/{review.pk}/change/"
    assert 'name="_save"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"result": "upheld", "answer": "A person looked at it."})
    assert 'name="_save"' not in client.get(url).content.decode()


def test_the_desk_links_reviews_to_answer_to_the_unanswered_ones(client, officer, alice, bob):
    review_of(ConversationFactory.create(customer=alice), alice)
    answered = review_of(ConversationFactory.create(customer=bob), bob)
    HumanReviewRequest.objects.filter(pk=answered.pk).update(status="answered")
    client.force_login(officer)
    html = client.get("/admin/").content.decode()
    link = re.search(r'href="([^"]+)"><strong>1</strong> human review to answer', html)
    assert link is not None
    listed = client.get(link.group(1).replace("&amp;", "&")).context["cl"].result_list
    assert [r.user for r in listed] == [alice]


def test_a_flags_page_shows_the_output_and_folds_away_how_it_points_at_it(client, officer, alice):
    conversation = ConversationFactory.create(customer=alice)
    message = MessageFactory.create(conversation=conversation, sender="ai", body="You are not eligible.")
    flag = AIOutputFlag.objects.create(
        user=alice,
        ai_system=AISystemFactory.create(),
        reason="wrong",
        content_type=ContentType.objects.get_for_model(type(message)),
        object_id=message.pk,
    )
    client.force_login(officer)
    html = client.get(f"/admin/privacy/aioutputflag/{flag.pk}/change/").content.decode()
    assert "You are not eligible." in html
    folded = html[html.index("The row flagged, by reference") - 300 :]
    assert "<details" in folded[:400] and "field-content_type" in folded
