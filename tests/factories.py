"""factory-boy factories for the interactions store (conversations, inferences, decisions) and AI systems.

Call `XFactory.create(...)`: factory-boy types it as returning the model, whereas the bare
`XFactory(...)` (the same thing at run time) is typed as returning the factory.
"""

from datetime import timedelta

from django.utils import timezone
from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory

from interactions.models import AIDecision, AIInference, Conversation, Message
from privacy.models import AIPurpose, AISystem


class AISystemFactory(DjangoModelFactory[AISystem]):
    class Meta:
        model = AISystem
        django_get_or_create = ("slug",)

    slug = Sequence(lambda n: f"ai-system-{n}")
    name = LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    provider = "In-house"
    model_name = "Test model 1"
    description = "Answers questions."
    contact = "ai@example.com"


class ConversationFactory(DjangoModelFactory[Conversation]):
    class Meta:
        model = Conversation

    channel = Conversation.Channel.CHAT
    subject = Sequence(lambda n: f"Question {n}")
    handled_by = Conversation.HandledBy.AI
    ai_system = SubFactory(AISystemFactory, slug="chat-assistant")
    started_at = Sequence(lambda n: timezone.now() - timedelta(hours=n + 1))


class MessageFactory(DjangoModelFactory[Message]):
    class Meta:
        model = Message

    conversation = SubFactory(ConversationFactory)
    sender = Message.Sender.CUSTOMER
    body = Sequence(lambda n: f"Message body number {n}")
    sent_at = Sequence(lambda n: timezone.now() - timedelta(minutes=n + 1))


class AIInferenceFactory(DjangoModelFactory[AIInference]):
    class Meta:
        model = AIInference

    ai_system = SubFactory(AISystemFactory, slug="intent-analyser")
    kind = AIInference.Kind.SENTIMENT
    value = "neutral"
    confidence = 0.8
    inferred_at = Sequence(lambda n: timezone.now() - timedelta(minutes=n + 1))


def give_history(customer, *, conversations: int = 2, messages_each: int = 3, marker: str = "") -> list[Conversation]:
    """A small, recognisable history: every text carries `marker`."""
    made = []
    for c in range(conversations):
        conversation = ConversationFactory.create(customer=customer, subject=f"{marker} subject {c}")
        for m in range(messages_each):
            MessageFactory.create(conversation=conversation, body=f"{marker} message {c}-{m}")
        AIInferenceFactory.create(
            customer=customer, conversation=conversation, value=f"{marker} mood {c}", confidence=0.73
        )
        made.append(conversation)
    return made


class AIDecisionFactory(DjangoModelFactory[AIDecision]):
    class Meta:
        model = AIDecision

    ai_system = SubFactory(AISystemFactory, slug="refund-assistant", name="Refund assistant")
    purpose = LazyFunction(lambda: AIPurpose.objects.get(slug="automated-decisions"))
    kind = "refund_request"
    kind_label = "Refund request"
    outcome = AIDecision.Outcome.UNFAVOURABLE
    outcome_label = "Refund declined"
    model_version = "2.3"
    confidence = 0.8
    decided_at = Sequence(lambda n: timezone.now() - timedelta(hours=n + 1))
    reasons = LazyFunction(
        lambda: [
            {"text": "The parcel was signed for.", "weight": 0.7},
            {"text": "The request came after 30 days.", "weight": 0.3},
        ]
    )
