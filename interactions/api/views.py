from collections.abc import Callable
from typing import Any, Protocol

from django.db.models import Model
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from interactions import services
from interactions.api.serializers import (
    ConversationInSerializer,
    ConversationOutSerializer,
    DecisionInSerializer,
    DecisionOutSerializer,
    InferenceInSerializer,
    InferenceOutSerializer,
)
from interactions.models import Conversation
from interactions.selectors import customer_by_reference
from privacy.api.views import ERROR, ERROR_RESPONSES, ClientAPIView, calling_client
from privacy.models import APIClient


class Conflict(APIException):
    status_code = 409
    default_detail = "This external_id is already used for another customer's record."
    default_code = "conflict"


CONFLICT_RESPONSE = OpenApiResponse(ERROR, description="This external_id belongs to another customer's record.")

# One complete request per endpoint, shown in the docs (the contract test sends them too).
CONVERSATION_EXAMPLE = OpenApiExample(
    "A chat the AI assistant answered",
    request_only=True,
    value={
        "external_id": "chat-20261120-0042",
        "customer_email": "alice@example.com",
        "channel": "chat",
        "subject": "Where is my order?",
        "handled_by": "ai",
        "ai_system": "chat-assistant",
        "started_at": "2026-11-20T10:00:00Z",
        "ended_at": "2026-11-20T10:05:00Z",
        "messages": [
            {
                "sender": "customer",
                "body": "Where is order 123?\nIt was due on Monday.",
                "sent_at": "2026-11-20T10:00:00Z",
            },
            {"sender": "ai", "body": "It arrives tomorrow.", "sent_at": "2026-11-20T10:00:05Z"},
        ],
    },
)
INFERENCE_EXAMPLE = OpenApiExample(
    "The intent an AI read in a message",
    request_only=True,
    value={
        "external_id": "intent-20261120-0042-1",
        "customer_email": "alice@example.com",
        "ai_system": "intent-analyser",
        "kind": "intent",
        "value": "order_status",
        "confidence": 0.92,
        "inferred_at": "2026-11-20T10:00:01Z",
    },
)
DECISION_EXAMPLE = OpenApiExample(
    "A refund an AI declined",
    request_only=True,
    value={
        "external_id": "refund-5521",
        "customer_email": "alice@example.com",
        "ai_system": "refund-assistant",
        "kind": "refund_request",
        "kind_label": "Refund request",
        "outcome": "unfavourable",
        "outcome_label": "Refund declined",
        "model_version": "2026.11",
        "confidence": 0.81,
        "decided_at": "2026-11-20T10:10:00Z",
        "reasons": [
            "The order was delivered more than 30 days ago.",
            {"text": "The item was bought in a sale.", "weight": 0.3},
        ],
    },
)


class _Recorder(Protocol):
    """services.conversation_record and its kind: store once, return (row, created)."""

    def __call__(self, *, client: APIClient | None, customer: User, data: dict[str, Any]) -> tuple[Model, bool]: ...


# Called with the request, the customer and the validated data, before recording.
_Preparer = Callable[[Request, User, dict[str, Any]], None]


def _customer_or_404(data: dict[str, Any]) -> User:
    customer = customer_by_reference(email=data.pop("customer_email", None), public_id=data.pop("customer_id", None))
    if customer is None:
        raise NotFound("Unknown customer.")
    return customer


def _ingest(
    request: Request,
    in_serializer: type[serializers.Serializer[Any]],
    out_serializer: type[serializers.ModelSerializer[Any]],
    record: _Recorder,
    prepare: _Preparer | None = None,
) -> Response:
    """Validate, find the customer, store once: 201 when new, 200 for a retry."""
    serializer = in_serializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    customer = _customer_or_404(data)
    if prepare:
        prepare(request, customer, data)
    try:
        row, created = record(client=calling_client(request), customer=customer, data=data)
    except services.ExternalIdConflict:
        raise Conflict() from None
    return Response(out_serializer(row).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ConversationIngestView(ClientAPIView):
    required_scope = "interactions:write"

    @extend_schema(
        summary="Record a conversation and its messages",
        request=ConversationInSerializer,
        examples=[CONVERSATION_EXAMPLE],
        responses={
            201: ConversationOutSerializer,
            200: OpenApiResponse(ConversationOutSerializer, description="Already recorded under this external_id."),
            409: CONFLICT_RESPONSE,
            **ERROR_RESPONSES,
        },
    )
    def post(self, request: Request) -> Response:
        return _ingest(request, ConversationInSerializer, ConversationOutSerializer, services.conversation_record)


class InferenceIngestView(ClientAPIView):
    required_scope = "interactions:write"

    @extend_schema(
        summary="Record something an AI system concluded about a customer",
        request=InferenceInSerializer,
        examples=[INFERENCE_EXAMPLE],
        responses={
            201: InferenceOutSerializer,
            200: OpenApiResponse(InferenceOutSerializer, description="Already recorded under this external_id."),
            409: CONFLICT_RESPONSE,
            **ERROR_RESPONSES,
        },
    )
    def post(self, request: Request) -> Response:
        return _ingest(
            request,
            InferenceInSerializer,
            InferenceOutSerializer,
            services.inference_record,
            prepare=_link_conversation,
        )


class DecisionIngestView(ClientAPIView):
    required_scope = "interactions:write"

    @extend_schema(
        summary="Record a decision an AI system made about a customer, with its reasons",
        description=(
            "The customer sees the decision and its reasons in the portal and can ask a person to review it; "
            "the fairness audits count its outcome. A decision for a purpose the customer switched off is "
            "stored and reported to the privacy team as a breach."
        ),
        request=DecisionInSerializer,
        examples=[DECISION_EXAMPLE],
        responses={
            201: DecisionOutSerializer,
            200: OpenApiResponse(DecisionOutSerializer, description="Already recorded under this external_id."),
            409: CONFLICT_RESPONSE,
            **ERROR_RESPONSES,
        },
    )
    def post(self, request: Request) -> Response:
        return _ingest(request, DecisionInSerializer, DecisionOutSerializer, services.decision_record)


def _link_conversation(request: Request, customer: User, data: dict[str, Any]) -> None:
    conversation_id = data.pop("conversation_external_id", "")
    if conversation_id:
        data["conversation"] = Conversation.objects.filter(
            source_client=calling_client(request), customer=customer, external_id=conversation_id
        ).first()
        if data["conversation"] is None:
            raise ValidationError({"conversation_external_id": ["No conversation of this customer has that ID."]})
