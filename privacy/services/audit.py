"""Appending to the hash-chained audit trail."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from privacy.audit_chain import audit_event_hash
from privacy.models import AuditChainHead, AuditEvent
from privacy.typing import Customer, JSONObject


@transaction.atomic
def audit_record(
    *, action: str, actor_id: int | None = None, obj: Model | Customer | None = None, details: JSONObject | None = None
) -> AuditEvent:
    """Append one event. `details` must hold IDs, counts and codes only — never personal data."""
    # The single head row is locked for the append, so concurrent writers
    # queue up instead of chaining to the same predecessor.
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    sequence = head.last_sequence + 1
    object_type, object_id = _object_key(obj)
    created_at = timezone.now()
    details = details or {}
    # What the hash covers is exactly what is stored beside it.
    fields: dict[str, Any] = {
        "prev_hash": head.last_hash,
        "sequence": sequence,
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": details,
        "created_at": created_at,
    }
    digest = audit_event_hash(**fields)
    event = AuditEvent.objects.create(hash=digest, **fields)
    head.last_sequence, head.last_hash = sequence, digest
    head.save(update_fields=["last_sequence", "last_hash"])
    return event


def _object_key(obj: Model | Customer | None) -> tuple[str, str]:
    """How the trail names an event's object: model label and primary key."""
    if obj is None:
        return "", ""
    if isinstance(obj, Model):
        return obj._meta.label_lower, str(obj.pk)
    # A customer: privacy knows the user model only by its setting.
    return settings.AUTH_USER_MODEL.lower(), str(obj.pk)
