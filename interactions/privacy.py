"""Personal data held by the interactions store, and the "AI and you" summary."""

from django.db.models import Count, Q

from interactions.models import AIInference, Conversation, Message
from privacy.registry import Erasure, LegalBasis, PersonalField, Source, registry

SERVICE_RECIPIENTS = ("Our customer-service team", "The AI systems named beside each item")

registry.declare(
    Source(
        model=Conversation,
        subject_path="customer",
        label="Your conversations",
        description="Each time you contacted us: how, when, and whether an AI assistant or a person handled it.",
        fields=(
            PersonalField("channel", "user.behavior", label="Channel"),
            PersonalField("subject", "user.content.private", label="Topic"),
            PersonalField("handled_by", "user.behavior", label="Handled by"),
            PersonalField("ai_system", "user.behavior", label="AI system involved"),
            PersonalField("started_at", "user.behavior", label="Started"),
            PersonalField("ended_at", "user.behavior", label="Ended"),
        ),
        purpose="To answer you and keep the history of your service requests.",
        legal_basis=LegalBasis.CONTRACT,
        retention="Three years after the conversation ends.",
        recipients=SERVICE_RECIPIENTS,
        erasure=Erasure.delete(),
        ordering=("-started_at",),
        row_ai_system_field="ai_system",
        human_review=True,
    )
)

registry.declare(
    Source(
        model=Message,
        subject_path="conversation__customer",
        label="Messages in your conversations",
        description="What you wrote to us and what we (or our AI) answered.",
        fields=(
            PersonalField("sent_at", "user.content.private", label="Sent"),
            PersonalField("sender", "user.content.private", label="From"),
            PersonalField("body", "user.content.private", label="Message"),
            PersonalField("ai_drafted", "user.content.private", label="Drafted by AI"),
            PersonalField("human_reviewed", "user.content.private", label="Checked by a person before sending"),
            PersonalField("ai_system", "user.content.private", label="AI system involved"),
        ),
        purpose="To answer you and keep the history of your service requests.",
        legal_basis=LegalBasis.CONTRACT,
        retention="Three years after the conversation ends.",
        recipients=SERVICE_RECIPIENTS,
        erasure=Erasure.delete(),
        ordering=("-sent_at", "-pk"),
        row_ai_system_field="ai_system",
        flaggable=True,
    )
)

registry.declare(
    Source(
        model=AIInference,
        subject_path="customer",
        label="What our AI concluded about you",
        description="Conclusions AI systems drew from your conversations, with how sure they were.",
        fields=(
            PersonalField("inferred_at", "user.demographic.profile", label="When"),
            PersonalField("kind", "user.demographic.profile", label="Kind"),
            PersonalField(
                "value",
                "user.demographic.profile",
                label="Conclusion",
                derived_by_ai=True,
                ai_system_field="ai_system",
                confidence_field="confidence",
            ),
        ),
        purpose="To route your requests, prioritise urgent ones and personalise our service.",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        retention="One year, or until you object or erase your data.",
        recipients=("Our customer-service team",),
        erasure=Erasure.delete(),
        ordering=("-inferred_at",),
        row_ai_system_field="ai_system",
        human_review=True,
    )
)


def ai_and_you(user) -> list[tuple[str, object]]:
    """How much of your service involved AI: two aggregate queries, whatever the volume."""
    conversations = Conversation.objects.filter(customer=user).aggregate(
        total=Count("pk"),
        by_ai=Count("pk", filter=Q(handled_by=Conversation.HandledBy.AI)),
        by_people=Count("pk", filter=Q(handled_by=Conversation.HandledBy.HUMAN)),
        by_ai_then_people=Count("pk", filter=Q(handled_by=Conversation.HandledBy.AI_THEN_HUMAN)),
    )
    replies = Message.objects.filter(conversation__customer=user).aggregate(
        drafted=Count("pk", filter=Q(ai_drafted=True)),
        drafted_and_reviewed=Count("pk", filter=Q(ai_drafted=True, human_reviewed=True)),
        by_ai=Count("pk", filter=Q(sender=Message.Sender.AI)),
    )
    inferences = AIInference.objects.filter(customer=user).count()
    return [
        ("Conversations", conversations["total"]),
        ("Answered by an AI assistant alone", conversations["by_ai"]),
        ("Started with AI, then handed to a person", conversations["by_ai_then_people"]),
        ("Handled by people only", conversations["by_people"]),
        ("Messages written by an AI assistant", replies["by_ai"]),
        ("Agent replies drafted by AI", replies["drafted"]),
        ("…of which a person checked before sending", replies["drafted_and_reviewed"]),
        ("Conclusions AI drew about you", inferences),
    ]


registry.summary("AI and you", ai_and_you)
