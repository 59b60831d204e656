from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from fairness import services
from fairness.api.serializers import MonitoringAttributesInSerializer, MonitoringAttributesOutSerializer
from interactions.selectors import customer_by_reference
from privacy.api.views import ERROR_RESPONSES, ClientAPIView, calling_client


class MonitoringAttributesView(ClientAPIView):
    required_scope = "monitoring:write"

    @extend_schema(
        summary="Attach monitoring-only attributes to a customer, for fairness audits",
        description=(
            "Group attributes (such as preferred language or region) that the fairness audits count decisions "
            "against. They are used for audits only: no endpoint returns them, and no AI system receives them. "
            "Attributes only the customer can give (e.g. gender) are refused here."
        ),
        request=MonitoringAttributesInSerializer,
        examples=[
            OpenApiExample(
                "A region and an age band",
                request_only=True,
                value={"customer_email": "alice@example.com", "attributes": {"region": "north", "age_band": "35_44"}},
            )
        ],
        responses={200: MonitoringAttributesOutSerializer, **ERROR_RESPONSES},
    )
    def post(self, request: Request) -> Response:
        serializer = MonitoringAttributesInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = customer_by_reference(email=data.get("customer_email"), public_id=data.get("customer_id"))
        if customer is None:
            raise NotFound("Unknown customer.")
        client = calling_client(request)
        try:
            recorded, removed = services.recorded_attributes_set(
                client=client, customer=customer, values=data["attributes"]
            )
        except services.AttributeRefused as refusal:
            raise ValidationError({"attributes": {key: [message] for key, message in refusal.errors.items()}}) from None
        return Response({"customer_id": str(customer.public_id), "recorded": recorded, "removed": removed})
