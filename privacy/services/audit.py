"""Appending to the hash-chained audit trail."""

from django.db import transaction
from django.utils import timezone

from privacy.audit_chain import audit_event_hash
from privacy.models import AuditChainHead, AuditEvent


@transaction.atomic
def audit_record(*, action: str, actor_id: int | None = None, obj=None, details: dict | None = None) -> AuditEvent:
    """Append one event. `details` must hold IDs, counts and codes only — never personal data."""
    # The single head row is locked for the append, so concurrent writers
    # queue up instead of chaining to the same predecessor.
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    fields = {
        "sequence": head.last_sequence + 1,
        "actor_id": actor_id,
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "details": details or {},
        "created_at": timezone.now(),
    }
    digest = audit_event_hash(prev_hash=head.last_hash, **fields)
    event = AuditEvent.objects.create(prev_hash=head.last_hash, hash=digest, **fields)
    head.last_sequence, head.last_hash = fields["sequence"], digest
    head.save(update_fields=["last_sequence", "last_hash"])
    return event
