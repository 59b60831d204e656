"""Shared bits of every API view, and the permission API."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from privacy import selectors, services
from privacy.api.authentication import APIClientTokenAuthentication
from privacy.api.permissions import HasScope
from privacy.api.serializers import ConsentInSerializer, PermissionsSerializer, PingSerializer
from privacy.models import ConsentMethod
from privacy.permission_cache import cached_permissions

ERROR = inline_serializer("Error", fields={"detail": serializers.CharField()})
ERROR_RESPONSES = {
    400: OpenApiResponse(description="Invalid payload: an object with a list of messages per field."),
    401: OpenApiResponse(ERROR, description="Missing or wrong token."),
    403: OpenApiResponse(ERROR, description="The token lacks the scope this endpoint needs."),
    404: OpenApiResponse(ERROR, description="Unknown customer."),
}


class ClientAPIView(APIView):
    authentication_classes = [APIClientTokenAuthentication]
    permission_classes = [HasScope]
    required_scope = ""


def customer_or_404(customer_id):
    customer = get_user_model().objects.filter(public_id=customer_id, is_active=True).first()
    if customer is None:
        raise NotFound("Unknown customer.")
    return customer


def permissions_body(customer) -> dict:
    return {
        "customer_id": str(customer.public_id),
        "permissions": [permission.as_json() for permission in selectors.ai_permissions(user=customer)],
    }


class PingView(APIView):
    """Check a token: who it belongs to and what it may do."""

    authentication_classes = [APIClientTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Check a token", responses={200: PingSerializer, 401: ERROR_RESPONSES[401]})
    def get(self, request):
        return Response({"client": request.auth.name, "scopes": request.auth.scopes})


class AIPermissionsView(ClientAPIView):
    required_scope = "permissions:read"

    @extend_schema(
        summary="May AI be used for this customer? Every purpose, with why",
        responses={200: PermissionsSerializer, **{k: v for k, v in ERROR_RESPONSES.items() if k != 400}},
    )
    def get(self, request, customer_id):
        def compute():
            customer = get_user_model().objects.filter(public_id=customer_id, is_active=True).first()
            return permissions_body(customer) if customer else None

        body = cached_permissions(customer_id, compute)
        if body is None:
            raise NotFound("Unknown customer.")
        return Response(body)


class ConsentView(ClientAPIView):
    required_scope = "permissions:write"

    @extend_schema(
        summary="Record a consent the customer gave or withdrew elsewhere",
        request=ConsentInSerializer,
        responses={200: PermissionsSerializer, **ERROR_RESPONSES},
    )
    def post(self, request, customer_id):
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
        )
        return Response(permissions_body(customer))
