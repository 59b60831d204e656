"""Writes to the interactions store (the ingest API calls these)."""

from django.db import IntegrityError, transaction

from interactions.models import AIInference, Conversation, Message


def conversation_record(*, client, customer, data: dict) -> tuple[Conversation, bool]:
    """Store a conversation and its messages once; a retry returns the first copy.

    `data` is validated input. Returns (conversation, created).
    """
    existing = Conversation.objects.filter(source_client=client, external_id=data["external_id"]).first()
    if existing:
        return existing, False
    messages = data.pop("messages", [])
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(source_client=client, customer=customer, **data)
            Message.objects.bulk_create(
                Message(
                    conversation=conversation,
                    ai_system=message.pop("ai_system", None)
                    or (conversation.ai_system if message["sender"] == Message.Sender.AI else None),
                    **message,
                )
                for message in messages
            )
    except IntegrityError:
        # A concurrent retry of the same request won the race: use its row.
        return Conversation.objects.get(source_client=client, external_id=data["external_id"]), False
    return conversation, True


def inference_record(*, client, customer, data: dict) -> tuple[AIInference, bool]:
    existing = AIInference.objects.filter(source_client=client, external_id=data["external_id"]).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            inference = AIInference.objects.create(source_client=client, customer=customer, **data)
    except IntegrityError:
        return AIInference.objects.get(source_client=client, external_id=data["external_id"]), False
    return inference, True
