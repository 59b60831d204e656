"""Reads of API clients."""

from privacy.models import APIClient
from privacy.tokens import hash_token


def api_client_by_token(token: str) -> APIClient | None:
    return APIClient.objects.filter(token_hash=hash_token(token), is_active=True).first()
