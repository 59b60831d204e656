"""Writes to API clients."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from privacy.models import APIClient
from privacy.services.audit import audit_record
from privacy.tokens import hash_token, new_token

# Writing last_used_at on every call would make each API read a write too.
LAST_USED_PRECISION = timedelta(minutes=1)


def _check(*, name: str, scopes: list[str]) -> None:
    unknown = set(scopes) - set(APIClient.Scope.values)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    if not name.strip():
        raise ValueError("an API client needs a name")


@transaction.atomic
def api_client_create(
    *, name: str, scopes: list[str], is_active: bool = True, actor_id: int | None = None
) -> tuple[APIClient, str]:
    """Create a client; return it with its token, which is never stored or shown again."""
    _check(name=name, scopes=scopes)
    token = new_token()
    client = APIClient.objects.create(
        name=name.strip(),
        scopes=sorted(set(scopes)),
        is_active=is_active,
        token_prefix=token[:10],
        token_hash=hash_token(token),
    )
    audit_record(
        action="api_client.created",
        actor_id=actor_id,
        obj=client,
        details={"scopes": client.scopes, "active": client.is_active},
    )
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


@transaction.atomic
def api_client_update(
    *, client: APIClient, name: str, scopes: list[str], is_active: bool, actor_id: int | None
) -> APIClient:
    """Change a client's name, scopes or whether it may call at all; record which of them changed."""
    _check(name=name, scopes=scopes)
    stored = APIClient.objects.select_for_update().get(pk=client.pk)
    new = {"name": name.strip(), "scopes": sorted(set(scopes)), "is_active": is_active}
    changed = [field for field, value in new.items() if getattr(stored, field) != value]
    for field, value in new.items():
        setattr(client, field, value)
    if not changed:
        return client
    client.save(update_fields=changed)
    audit_record(
        action="api_client.changed",
        actor_id=actor_id,
        obj=client,
        details={"fields": changed, "scopes": client.scopes, "active": client.is_active},
    )
    return client


@transaction.atomic
def api_client_delete(*, client: APIClient, actor_id: int | None) -> None:
    """Delete a client: its token stops working, and what it recorded stays (without it as the source)."""
    pk = client.pk
    client.delete()
    audit_record(action="api_client.deleted", actor_id=actor_id, obj=APIClient(pk=pk))


def api_client_touch(*, client: APIClient) -> None:
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_PRECISION:
        APIClient.objects.filter(pk=client.pk).update(last_used_at=now)
