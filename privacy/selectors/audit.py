"""Reads of the audit trail: verifying it (with the key, and against its checkpoints), and one object's events."""

import hmac
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import Storage, storages
from django.db.models import Model

from privacy.audit_chain import (
    GENESIS_HASH,
    AuditCheckpoint,
    BadCheckpoint,
    audit_event_hash,
    audit_key,
    checkpoint_name_sequence,
    checkpoint_read,
    legacy_audit_event_hash,
)
from privacy.models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class StoredCheckpoint:
    name: str
    checkpoint: AuditCheckpoint

    def __str__(self) -> str:
        return f"{self.name} of {self.checkpoint.created_at:%Y-%m-%d %H:%M:%S %Z}"


@dataclass(frozen=True)
class AuditTrailReport:
    events: int
    checkpoints: list[StoredCheckpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def audit_checkpoint_storage() -> Storage:
    """Outside the database: the portal's database role cannot rewrite it (see the README)."""
    return storages["audit_checkpoints"]


def _checkpoint_names() -> list[str]:
    try:
        return list(audit_checkpoint_storage().listdir("")[1])
    except FileNotFoundError:  # a folder storage before its first checkpoint
        return []


def _read_checkpoint(name: str) -> StoredCheckpoint:
    with audit_checkpoint_storage().open(name, "rb") as stored:
        return StoredCheckpoint(name=name, checkpoint=checkpoint_read(audit_key(), stored.read()))


def audit_checkpoints() -> tuple[list[StoredCheckpoint], list[str]]:
    """Every stored checkpoint whose signature verifies, and a problem naming each one that does not."""
    valid, problems = [], []
    for name in sorted(_checkpoint_names()):
        try:
            valid.append(_read_checkpoint(name))
        except BadCheckpoint as exc:
            problems.append(f"{name}: {exc} — forged, damaged, or signed with another AUDIT_KEY")
    return valid, problems


def audit_checkpoint_newest() -> StoredCheckpoint | None:
    """The valid checkpoint of the highest sequence, found by its name (reading as few objects as it can)."""
    named = [
        (sequence, name) for name in _checkpoint_names() if (sequence := checkpoint_name_sequence(name)) is not None
    ]
    for _, name in sorted(named, reverse=True):
        try:
            return _read_checkpoint(name)
        except BadCheckpoint:
            continue  # verify-audit reports it
    return None


def _described(event: AuditEvent) -> str:
    return f"event #{event.sequence} (id {event.pk}, {event.action})"


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "prev_hash": event.prev_hash,
        "sequence": event.sequence,
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "details": event.details,
        "created_at": event.created_at,
    }


def audit_event_is_sealed(event: AuditEvent) -> bool:
    """Whether the event's hash is its HMAC under the audit key (nobody without the key can make one)."""
    return hmac.compare_digest(event.hash, audit_event_hash(key=audit_key(), **_hashed_fields(event)))


def _differs(event: AuditEvent, stored: StoredCheckpoint) -> str:
    return f"{_described(event)} differs from {stored}: the trail was rewritten or rolled back"


def _cut_off(stored: StoredCheckpoint, last_sequence: int) -> str:
    return (
        f"event #{stored.checkpoint.sequence} (missing): {stored} records it, but the trail ends at "
        f"#{last_sequence}: events were cut off or the trail was rolled back"
    )


def audit_checkpoint_disagreement(stored: StoredCheckpoint) -> str | None:
    """What the trail now shows that the checkpoint contradicts (None: they agree)."""
    event = AuditEvent.objects.filter(sequence=stored.checkpoint.sequence).first()
    if event is None:
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
        return _cut_off(stored, last or 0)
    if event.hash != stored.checkpoint.hash:
        return _differs(event, stored)
    return None


def audit_trail_verify(*, chunk_size: int = 2000) -> AuditTrailReport:
    """Every link and every HMAC of the trail, and the trail against every valid checkpoint."""
    checkpoints, problems = audit_checkpoints()
    expected: dict[int, list[StoredCheckpoint]] = defaultdict(list)
    for stored in checkpoints:
        expected[stored.checkpoint.sequence].append(stored)
    key = audit_key()
    prev_hash, sequence, sealed, last = GENESIS_HASH, 0, False, None
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size):
        fields = _hashed_fields(event)
        linked = event.sequence == sequence + 1 and event.prev_hash == prev_hash
        if linked and hmac.compare_digest(event.hash, audit_event_hash(key=key, **fields)):
            sealed = True
        elif linked and not sealed and event.hash == legacy_audit_event_hash(**fields):
            # Written before the trail was keyed. Anyone can compute a plain
            # hash, so it counts only before the first keyed event, which
            # seals it (and a trail that ends in such events is refused below).
            pass
        else:
            hint = "" if sealed else " (or AUDIT_KEY is not the key the trail was written with)"
            problems.append(f"{_described(event)}: its hash or its link to the previous event does not hold{hint}")
            return AuditTrailReport(events=sequence, checkpoints=checkpoints, problems=problems)
        for stored in expected.pop(event.sequence, []):
            if stored.checkpoint.hash != event.hash:
                problems.append(_differs(event, stored))
        prev_hash, sequence, last = event.hash, event.sequence, event
    if last is not None and not sealed:
        problems.append(
            f"{_described(last)}: the trail ends in events not sealed with the audit key — rewritten with plain "
            "hashes, or written before the key and not yet sealed by `migrate`"
        )
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_sequence != sequence:
        # Rows were deleted from the end of the chain, and the head left alone.
        problems.append(
            f"event #{sequence + 1} (missing): the trail's head records {head.last_sequence} events, "
            f"the last one is #{sequence}"
        )
    if expected:  # checkpoints of events the trail no longer has: the newest says the most
        problems.append(_cut_off(expected[max(expected)][0], sequence))
    return AuditTrailReport(events=sequence, checkpoints=checkpoints, problems=problems)


def audit_events_for(obj: Model) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)))
