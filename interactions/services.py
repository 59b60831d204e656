"""Writes to the interactions store (the ingest API calls these)."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from interactions.models import AIDecision, AIInference, Conversation, Message
from privacy.models import APIClient, PurposeSlug
from privacy.services import ai_use_record

# Which switchable purpose (privacy's AIPurpose slugs) each kind of AI use falls under.
INFERENCE_PURPOSES: dict[str, PurposeSlug] = {
    AIInference.Kind.SENTIMENT: PurposeSlug.SENTIMENT_INTENT_ANALYSIS,
    AIInference.Kind.INTENT: PurposeSlug.SENTIMENT_INTENT_ANALYSIS,
    AIInference.Kind.CHURN_RISK: PurposeSlug.SENTIMENT_INTENT_ANALYSIS,
    AIInference.Kind.SEGMENT: PurposeSlug.PERSONALISED_RECOMMENDATIONS,
    AIInference.Kind.PREFERENCE: PurposeSlug.PERSONALISED_RECOMMENDATIONS,
}


class ExternalIdConflict(Exception):
    """The client's ID is already used for another customer's record."""


def conversation_record(*, client: APIClient | None, customer: User, data: dict[str, Any]) -> tuple[Conversation, bool]:
    """Store a conversation and its messages once; a retry returns the first copy.

    `data` is validated input. Returns (conversation, created).
    """
    existing = Conversation.objects.filter(source_client=client, external_id=data["external_id"]).first()
    if existing:
        if existing.customer_id != customer.pk:
            raise ExternalIdConflict(data["external_id"])
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
            # In the same transaction: a stored record always has its breach check.
            _check_conversation_against_choices(conversation, client)
    except IntegrityError:
        # A concurrent retry of the same request won the race: use its row.
        return Conversation.objects.get(source_client=client, external_id=data["external_id"]), False
    return conversation, True


def _check_conversation_against_choices(conversation: Conversation, client: APIClient | None) -> None:
    # Stored either way; a use the customer switched off is also reported to staff.
    if conversation.handled_by != Conversation.HandledBy.HUMAN:
        ai_use_record(
            user=conversation.customer,
            purpose_slug=PurposeSlug.AI_CHAT_ASSISTANT,
            subject=conversation,
            api_client=client,
        )
    if conversation.messages.filter(ai_drafted=True).exists():
        ai_use_record(
            user=conversation.customer,
            purpose_slug=PurposeSlug.AI_DRAFTED_REPLIES,
            subject=conversation,
            api_client=client,
        )


def inference_record(*, client: APIClient | None, customer: User, data: dict[str, Any]) -> tuple[AIInference, bool]:
    existing = AIInference.objects.filter(source_client=client, external_id=data["external_id"]).first()
    if existing:
        if existing.customer_id != customer.pk:
            raise ExternalIdConflict(data["external_id"])
        return existing, False
    try:
        with transaction.atomic():
            inference = AIInference.objects.create(source_client=client, customer=customer, **data)
            ai_use_record(
                user=customer, purpose_slug=INFERENCE_PURPOSES[inference.kind], subject=inference, api_client=client
            )
    except IntegrityError:
        return AIInference.objects.get(source_client=client, external_id=data["external_id"]), False
    return inference, True


def kind_label_from(kind: str) -> str:
    """ "refund_request" reads "Refund request" when the business gave no words of its own."""
    words = kind.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def decision_record(*, client: APIClient | None, customer: User, data: dict[str, Any]) -> tuple[AIDecision, bool]:
    """Store a decision once; a retry returns the stored one.

    `data` is validated input. A decision for a purpose the customer switched
    off is stored all the same (it happened, and they may contest it) and
    reported as a preference breach, in the same transaction.
    """
    existing = AIDecision.objects.filter(source_client=client, external_id=data["external_id"]).first()
    if existing:
        if existing.customer_id != customer.pk:
            raise ExternalIdConflict(data["external_id"])
        return existing, False
    data = {**data, "kind_label": data.get("kind_label") or kind_label_from(data["kind"])}
    try:
        with transaction.atomic():
            decision = AIDecision.objects.create(source_client=client, customer=customer, **data)
            ai_use_record(user=customer, purpose_slug=decision.purpose.slug, subject=decision, api_client=client)
    except IntegrityError:
        return AIDecision.objects.get(source_client=client, external_id=data["external_id"]), False
    return decision, True


def decision_review_record(*, decision: AIDecision, result: str, new_outcome: str, new_outcome_label: str) -> None:
    """A person reviewed the decision at the customer's request: note what they found.

    Called by privacy's human-review answer through the registry's review
    hook. The AI's own outcome is kept as it was: the audits measure the AI,
    and count a change as an overturn.
    """
    if result not in AIDecision.ReviewResult.values:
        raise ValueError(f"unknown review result {result!r}")
    changed = result == AIDecision.ReviewResult.CHANGED
    AIDecision.objects.filter(pk=decision.pk).update(
        review_result=result,
        reviewed_at=timezone.now(),
        final_outcome=new_outcome if changed else "",
        final_outcome_label=new_outcome_label if changed else "",
    )
