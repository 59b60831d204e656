"""Shared bits of every API view: who may call, and how errors look."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from privacy.api.authentication import APIClientTokenAuthentication
from privacy.api.permissions import HasScope

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
