"""The "AI and you" summary: every figure counts the customer's own service, in one query."""

import pytest

from interactions.models import AIDecision, Conversation, Message
from interactions.privacy import ai_and_you
from tests.factories import AIDecisionFactory, AIInferenceFactory, ConversationFactory, MessageFactory

HandledBy = Conversation.HandledBy


def figures_of(customer) -> dict[str, object]:
    return {str(label): value for label, value in ai_and_you(customer)}


@pytest.fixture
def alices_service(alice):
    by_ai = ConversationFactory.create(customer=alice, handled_by=HandledBy.AI)
    ConversationFactory.create(customer=alice, handled_by=HandledBy.AI)
    handed_over = ConversationFactory.create(customer=alice, handled_by=HandledBy.AI_THEN_HUMAN)
    ConversationFactory.create(customer=alice, handled_by=HandledBy.HUMAN)
    MessageFactory.create(conversation=by_ai, sender=Message.Sender.AI)
    MessageFactory.create(conversation=by_ai, sender=Message.Sender.AI)
    MessageFactory.create(conversation=by_ai, sender=Message.Sender.CUSTOMER)
    MessageFactory.create(conversation=handed_over, sender=Message.Sender.AGENT, ai_drafted=True, human_reviewed=True)
    MessageFactory.create(conversation=handed_over, sender=Message.Sender.AGENT, ai_drafted=True)
    AIInferenceFactory.create_batch(3, customer=alice, conversation=by_ai)
    AIDecisionFactory.create(customer=alice, review_result=AIDecision.ReviewResult.UPHELD)
    AIDecisionFactory.create(customer=alice)


def test_every_figure_counts_alices_service_and_none_of_bobs(alice, bob, alices_service, django_assert_num_queries):
    # Bob's service, of every kind, must not reach Alice's figures.
    bobs = ConversationFactory.create(customer=bob, handled_by=HandledBy.HUMAN)
    MessageFactory.create(conversation=bobs, sender=Message.Sender.AI, ai_drafted=True, human_reviewed=True)
    AIInferenceFactory.create(customer=bob)
    AIDecisionFactory.create(customer=bob, review_result=AIDecision.ReviewResult.CHANGED)
    with django_assert_num_queries(1):
        figures = figures_of(alice)
    assert figures == {
        "Conversations": 4,
        "Answered by an AI assistant alone": 2,
        "Started with AI, then handed to a person": 1,
        "Handled by people only": 1,
        "Messages written by an AI assistant": 2,
        "Agent replies drafted by AI": 2,
        "…of which a person checked before sending": 1,
        "Conclusions AI drew about you": 3,
        "Decisions AI made about you": 2,
        "…of which a person reviewed at your request": 1,
    }
    assert figures_of(bob)["Conversations"] == 1 and figures_of(bob)["Decisions AI made about you"] == 1


def test_a_customer_with_no_service_at_all_reads_zero_everywhere(alice, bob, alices_service):
    assert set(figures_of(bob).values()) == {0}
