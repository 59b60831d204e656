from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response

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
from privacy.api.views import ERROR_RESPONSES, ClientAPIView


class Conflict(APIException):
    status_code = 409
    default_detail = "This external_id is already used for another customer's record."
    default_code = "conflict"


def _customer_or_404(data: dict):
    customer = customer_by_reference(email=data.pop("customer_email", None), public_id=data.pop("customer_id", None))
    if customer is None:
        raise NotFound("Unknown customer.")
    return customer


def _ingest(request, in_serializer, out_serializer, record, prepare=None) -> Response:
    """Validate, find the customer, store once: 201 when new, 200 for a retry."""
    serializer = in_serializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    customer = _customer_or_404(data)
    if prepare:
        prepare(request, customer, data)
    try:
        row, created = record(client=request.auth, customer=customer, data=data)
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
    def post(self, request):
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
    def post(self, request):
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
    def post(self, request):
        return _ingest(request, DecisionInSerializer, DecisionOutSerializer, services.decision_record)


def _link_conversation(request, customer, data: dict) -> None:
    conversation_id = data.pop("conversation_external_id", "")
    if conversation_id:
        data["conversation"] = Conversation.objects.filter(
            source_client=request.auth, customer=customer, external_id=conversation_id
        ).first()
        if data["conversation"] is None:
            raise ValidationError({"conversation_external_id": ["No conversation of this customer has that ID."]})
