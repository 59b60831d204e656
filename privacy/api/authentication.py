"""Bearer-token authentication for the business's systems (API clients)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from privacy.models import APIClient
from privacy.selectors import api_client_by_token
from privacy.services import api_client_touch


class APIClientTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[APIClient, APIClient] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None  # no credentials: the permission check answers 401
        scheme, _, token = header.partition(" ")
        if scheme != self.keyword or not token.strip():
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <token>'.")
        client = api_client_by_token(token.strip())
        if client is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked token.")
        api_client_touch(client=client)
        return client, client

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) when credentials are missing or wrong.
        return f'{self.keyword} realm="api"'


class APIClientTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # drf-spectacular's registry hook is untyped
    target_class = APIClientTokenAuthentication
    name = "clientToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `manage.py privacy api-client create` (or the admin).",
        }
