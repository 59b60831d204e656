"""Writes to API clients."""

from datetime import timedelta

from django.utils import timezone

from privacy.models import APIClient
from privacy.services.audit import audit_record
from privacy.tokens import hash_token, new_token

# Writing last_used_at on every call would make each API read a write too.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_client_create(*, name: str, scopes: list[str], actor_id: int | None = None) -> tuple[APIClient, str]:
    """Create a client; return it with its token, which is never stored or shown again."""
    unknown = set(scopes) - set(APIClient.Scope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    if not name.strip():
        raise ValueError("an API client needs a name")
    token = new_token()
    client = APIClient.objects.create(
        name=name.strip(), scopes=sorted(set(scopes)), token_prefix=token[:10], token_hash=hash_token(token)
    )
    audit_record(action="api_client.created", actor_id=actor_id, obj=client, details={"scopes": client.scopes})
    return client, token


def api_client_rotate_token(*, client: APIClient, actor_id: int | None = None) -> str:
    token = new_token()
    client.token_prefix, client.token_hash = token[:10], hash_token(token)
    client.save(update_fields=["token_prefix", "token_hash"])
    audit_record(action="api_client.token_rotated", actor_id=actor_id, obj=client)
    return token


def api_client_revoke(*, client: APIClient, actor_id: int | None = None) -> None:
    APIClient.objects.filter(pk=client.pk).update(is_active=False)
    audit_record(action="api_client.revoked", actor_id=actor_id, obj=client)


def api_client_update(*, client: APIClient, actor_id: int | None, changed: list[str]) -> None:
    """Record a change staff made to a client in the admin (scopes, active)."""
    audit_record(
        action="api_client.changed",
        actor_id=actor_id,
        obj=client,
        details={"fields": sorted(changed), "scopes": client.scopes, "active": client.is_active},
    )


def api_client_touch(*, client: APIClient) -> None:
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_PRECISION:
        APIClient.objects.filter(pk=client.pk).update(last_used_at=now)
