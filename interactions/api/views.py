from collections.abc import Callable
from typing import Any, Protocol

from django.db.models import Model
from drf_spectacular.utils import OpenApiResponse, extend_schema
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
from privacy.api.views import ERROR_RESPONSES, ClientAPIView, calling_client
from privacy.models import APIClient


class Conflict(APIException):
    status_code = 409
    default_detail = "This external_id is already used for another customer's record."
    default_code = "conflict"


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
        responses={
            201: ConversationOutSerializer,
            200: OpenApiResponse(ConversationOutSerializer, description="Already recorded under this external_id."),
            409: OpenApiResponse(description="This external_id belongs to another customer's record."),
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
        responses={
            201: InferenceOutSerializer,
            200: OpenApiResponse(InferenceOutSerializer, description="Already recorded under this external_id."),
            409: OpenApiResponse(description="This external_id belongs to another customer's record."),
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
        responses={
            201: DecisionOutSerializer,
            200: OpenApiResponse(DecisionOutSerializer, description="Already recorded under this external_id."),
            409: OpenApiResponse(description="This external_id belongs to another customer's record."),
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
