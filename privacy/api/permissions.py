from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from privacy.models import APIClient


class HasScope(BasePermission):
    """The calling API client holds the view's `required_scope`."""

    message = "This API client is not allowed to do that (missing scope)."

    def has_permission(self, request: Request, view: APIView) -> bool:
        client = request.auth
        if not isinstance(client, APIClient):
            return False
        return client.has_scope(getattr(view, "required_scope", ""))
