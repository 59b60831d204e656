"""The customer history every benchmark measures against: conversations, messages, inferences.

    from history import seed_history  # the scripts in bench/ import it by file
    customer = seed_history(messages=100_000, email="job@example.com")

Call it after django.setup(). Fifty messages a conversation, every other one
written by the chat assistant, and one inference per twenty messages.
"""

from datetime import timedelta
from typing import Any

PER_CONVERSATION = 50


def seed_history(*, messages: int, email: str) -> Any:
    from django.utils import timezone

    from accounts.models import User
    from interactions.models import AIInference, Conversation, Message
    from privacy.models import AISystem

    assistant, _ = AISystem.objects.get_or_create(
        slug="chat-assistant", defaults={"name": "Chat assistant", "provider": "x", "description": "x", "contact": "x"}
    )
    analyser, _ = AISystem.objects.get_or_create(
        slug="intent-analyser",
        defaults={"name": "Intent analyser", "provider": "x", "description": "x", "contact": "x"},
    )
    customer = User.objects.create_user(email=email, password="bench-password-123", full_name="Bench Customer")
    now = timezone.now()
    conversations = Conversation.objects.bulk_create(
        Conversation(
            customer=customer,
            channel="chat",
            subject=f"Topic {i}",
            handled_by="ai",
            ai_system=assistant,
            started_at=now - timedelta(hours=i),
        )
        for i in range(max(1, messages // PER_CONVERSATION))
    )
    Message.objects.bulk_create(
        (
            Message(
                conversation=conversations[(i // PER_CONVERSATION) % len(conversations)],
                sender="ai" if i % 2 else "customer",
                body=f"Message {i}: my order has not arrived, can you check the delivery status please?",
                sent_at=now - timedelta(minutes=i),
                ai_system=assistant if i % 2 else None,
            )
            for i in range(messages)
        ),
        batch_size=5000,
    )
    AIInference.objects.bulk_create(
        (
            AIInference(
                customer=customer,
                ai_system=analyser,
                kind="sentiment",
                value="neutral",
                confidence=0.8,
                inferred_at=now - timedelta(minutes=i),
                conversation=conversations[i % len(conversations)],
            )
            for i in range(messages // 20)
        ),
        batch_size=5000,
    )
    return customer
