"""Reads of the audit trail: verifying the chain, and one object's events."""

from django.db.models import Model

from privacy.audit_chain import GENESIS_HASH, audit_event_hash
from privacy.models import AuditChainHead, AuditEvent


def audit_chain_first_break(*, chunk_size: int = 2000) -> AuditEvent | None:
    """The first event whose hash or link does not hold (None: the chain is intact)."""
    prev_hash, expected_sequence = GENESIS_HASH, 1
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size):
        recomputed = audit_event_hash(
            prev_hash=prev_hash,
            sequence=event.sequence,
            actor_id=event.actor_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            details=event.details,
            created_at=event.created_at,
        )
        if event.sequence != expected_sequence or event.prev_hash != prev_hash or event.hash != recomputed:
            broken: AuditEvent = event
            return broken
        prev_hash, expected_sequence = event.hash, expected_sequence + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_sequence != expected_sequence - 1:
        # Rows were deleted from the end of the chain.
        return AuditEvent(sequence=expected_sequence, action="(missing)")
    return None


def audit_events_for(obj: Model) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)))


def audit_event_count() -> int:
    return AuditEvent.objects.count()
