from django.conf import settings
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


class CanReadAPIDocs(BasePermission):
    """/api/schema/ and /api/docs/: anyone where PORTAL_API_DOCS_PUBLIC, else signed-in staff or any API token.

    Production keeps them to those who use or run the API: the schema maps every endpoint and field, which
    helps an attacker more than a customer.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        if settings.PORTAL_API_DOCS_PUBLIC or isinstance(request.auth, APIClient):
            return True
        user = request.user  # None when no one signed in (UNAUTHENTICATED_USER)
        return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))
