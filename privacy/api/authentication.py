"""Bearer-token authentication for the business's systems (API clients)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from privacy.selectors import api_client_by_token
from privacy.services import api_client_touch


class APIClientTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
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

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when credentials are missing or wrong.
        return f'{self.keyword} realm="api"'


class APIClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = APIClientTokenAuthentication
    name = "clientToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `manage.py privacy api-client create` (or the admin).",
        }
