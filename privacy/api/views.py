"""Shared bits of every API view, and the permission API."""

from uuid import UUID

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from privacy import selectors, services
from privacy.api.authentication import APIClientTokenAuthentication
from privacy.api.permissions import HasScope
from privacy.api.serializers import ConsentInSerializer, PermissionsSerializer, PingSerializer
from privacy.models import AIPurpose, APIClient, ConsentMethod
from privacy.typing import Customer, JSONObject

ERROR = inline_serializer("Error", fields={"detail": serializers.CharField()})
# DRF's answer to an invalid payload: each field (or non_field_errors) with its list of messages; a
# nested field's errors nest the same way (a list per item, an object per key or list index); an
# unreadable body gets {"detail": "..."} instead.
VALIDATION_ERROR = {
    "type": "object",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
}
ERROR_RESPONSES = {
    400: OpenApiResponse(
        VALIDATION_ERROR,
        description="Invalid payload: for each field (or non_field_errors) its list of messages, "
        "nested fields nested alike; `detail` when the body is not JSON.",
    ),
    401: OpenApiResponse(ERROR, description="Missing or wrong token."),
    403: OpenApiResponse(ERROR, description="The token lacks the scope this endpoint needs."),
    404: OpenApiResponse(ERROR, description="Unknown customer."),
    415: OpenApiResponse(ERROR, description="The body is not JSON (send Content-Type: application/json)."),
}


class ClientAPIView(APIView):
    authentication_classes = [APIClientTokenAuthentication]
    permission_classes = [HasScope]
    required_scope = ""


def _active_customer(customer_id: UUID) -> Customer | None:
    customer: Customer | None = get_user_model().objects.filter(public_id=customer_id, is_active=True).first()
    return customer


def customer_or_404(customer_id: UUID) -> Customer:
    customer = _active_customer(customer_id)
    if customer is None:
        raise NotFound("Unknown customer.")
    return customer


def calling_client(request: Request) -> APIClient:
    """The API client behind a request (the token authentication sets it as `auth`)."""
    client = request.auth
    if not isinstance(client, APIClient):
        raise NotAuthenticated()
    return client


def permissions_body(customer: Customer, purposes: list[AIPurpose] | None = None) -> JSONObject:
    return {
        "customer_id": str(customer.public_id),
        "permissions": [
            permission.as_json() for permission in selectors.ai_permissions(user=customer, purposes=purposes)
        ],
    }


class PingView(APIView):
    """Check a token: who it belongs to and what it may do."""

    authentication_classes = [APIClientTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Check a token", responses={200: PingSerializer, 401: ERROR_RESPONSES[401]})
    def get(self, request: Request) -> Response:
        client = calling_client(request)
        return Response({"client": client.name, "scopes": client.scopes})


class AIPermissionsView(ClientAPIView):
    required_scope = "permissions:read"

    @extend_schema(
        summary="May AI be used for this customer? Every purpose, with why",
        responses={200: PermissionsSerializer, **{k: v for k, v in ERROR_RESPONSES.items() if k not in (400, 415)}},
    )
    def get(self, request: Request, customer_id: UUID) -> Response:
        # One query: the customer with every override, their choices and the purposes' stamp. No
        # cache in front: this prepared query costs the web process less than a cache round trip
        # and a write would, and an answer read from the database is never stale.
        customer = selectors.active_customer_with_overrides(customer_id)
        if customer is None:
            raise NotFound("Unknown customer.")
        # ai_permissions takes the choices, overrides and purposes' stamp from what was read with it.
        return Response(permissions_body(customer))


class ConsentView(ClientAPIView):
    required_scope = "permissions:write"

    @extend_schema(
        summary="Record a consent the customer gave or withdrew elsewhere",
        request=ConsentInSerializer,
        examples=[
            OpenApiExample(
                "Consent to AI training, given at the checkout",
                request_only=True,
                value={"purpose": "ai-training", "granted": True, "notice_version": 1},
            )
        ],
        responses={200: PermissionsSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request, customer_id: UUID) -> Response:
        customer = customer_or_404(customer_id)
        serializer = ConsentInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.preference_set(
            user=customer,
            purpose=data["purpose"],
            allowed=data["granted"],
            method=ConsentMethod.API,
            notice_version=data["notice_version"],
            language=data.get("language"),
        )
        return Response(permissions_body(customer))
