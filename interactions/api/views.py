from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response

from interactions import services
from interactions.api.serializers import (
    ConversationInSerializer,
    ConversationOutSerializer,
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


def _record_or_409(record, **kwargs):
    try:
        return record(**kwargs)
    except services.ExternalIdConflict:
        raise Conflict() from None


def _customer_or_404(data: dict):
    customer = customer_by_reference(email=data.pop("customer_email", None), public_id=data.pop("customer_id", None))
    if customer is None:
        raise NotFound("Unknown customer.")
    return customer


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
        serializer = ConversationInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer = _customer_or_404(data)
        conversation, created = _record_or_409(
            services.conversation_record, client=request.auth, customer=customer, data=data
        )
        return Response(
            ConversationOutSerializer(conversation).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


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
        serializer = InferenceInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer = _customer_or_404(data)
        conversation_id = data.pop("conversation_external_id", "")
        if conversation_id:
            data["conversation"] = Conversation.objects.filter(
                source_client=request.auth, customer=customer, external_id=conversation_id
            ).first()
            if data["conversation"] is None:
                raise ValidationError({"conversation_external_id": ["No conversation of this customer has that ID."]})
        inference, created = _record_or_409(services.inference_record, client=request.auth, customer=customer, data=data)
        return Response(
            InferenceOutSerializer(inference).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
