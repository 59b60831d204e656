"""Appending to the keyed, hash-chained audit trail, and checkpointing its head outside the database."""

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from privacy.audit_chain import AuditCheckpoint, audit_event_hash, audit_key, checkpoint_document
from privacy.models import AuditChainHead, AuditEvent
from privacy.selectors.audit import (
    audit_checkpoint_disagreement,
    audit_checkpoint_newest,
    audit_checkpoint_storage,
    audit_event_is_sealed,
)
from privacy.services.staff_notices import alert_privacy_team
from privacy.typing import Customer, JSONObject

logger = logging.getLogger(__name__)


class AuditTrailTampered(Exception):
    """The trail contradicts its newest checkpoint, or ends in an event the audit key did not seal."""


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
    digest = audit_event_hash(key=audit_key(), **fields)
    event = AuditEvent.objects.create(hash=digest, **fields)
    head.last_sequence, head.last_hash = sequence, digest
    head.save(update_fields=["last_sequence", "last_hash"])
    return event


def audit_checkpoint_write() -> str | None:
    """Sign the trail's newest event into a new object of the checkpoint storage; return its name.

    Nothing is written when no event was appended since the newest checkpoint.
    A trail that contradicts that checkpoint (events cut off, rolled back or
    rewritten) is never signed: a later checkpoint must not bless it. The
    privacy team is alerted instead, and the task fails.
    """
    # The newest event, not the head row: anyone who writes the database can
    # set the head, but only the key can make an event's HMAC.
    last = AuditEvent.objects.order_by("-sequence").first()
    newest = audit_checkpoint_newest()
    problem = None
    if last is not None and not audit_event_is_sealed(last):
        problem = f"event #{last.sequence} (id {last.pk}, {last.action}) is not sealed with the audit key"
    elif newest is not None:
        problem = audit_checkpoint_disagreement(newest)
    if problem is not None:
        logger.error("audit trail checkpoint refused: %s", problem)
        if _first_sighting_today(problem):
            _alert_tampering(problem)
        raise AuditTrailTampered(problem)
    if last is None or (newest is not None and newest.checkpoint.sequence == last.sequence):
        return None
    checkpoint = AuditCheckpoint(sequence=last.sequence, hash=last.hash, created_at=timezone.now())
    # A storage that never overwrites: an existing name gets a new one, so the history stays whole.
    return audit_checkpoint_storage().save(checkpoint.name, ContentFile(checkpoint_document(audit_key(), checkpoint)))


def _first_sighting_today(problem: str) -> bool:
    """Whether this problem is new today: the beat task runs every few minutes, the team is told once a day.

    The note is kept beside the checkpoints, outside the database: whoever
    rewrote the trail must not be able to silence the alert by writing a row.
    (In a folder of its own: every file at the top is read as a checkpoint.)
    """
    storage = audit_checkpoint_storage()
    digest = hashlib.sha256(problem.encode()).hexdigest()[:16]
    note = f"alerts/{timezone.now():%Y-%m-%d}-{digest}.txt"
    if storage.exists(note):
        return False
    storage.save(note, ContentFile(problem.encode()))
    return True


def _alert_tampering(problem: str) -> None:
    alert_privacy_team(
        subject="The audit trail was tampered with: no checkpoint written",
        body=(
            f"The audit trail contradicts its checkpoints: {problem}.\n\n"
            "Run `python manage.py privacy verify-audit` for the full report. No checkpoint is "
            "written until the trail agrees with the newest one again (see the README). "
            "While it does not, this alert is repeated once a day."
        ),
    )


def _object_key(obj: Model | Customer | None) -> tuple[str, str]:
    """How the trail names an event's object: model label and primary key."""
    if obj is None:
        return "", ""
    if isinstance(obj, Model):
        return obj._meta.label_lower, str(obj.pk)
    # A customer: privacy knows the user model only by its setting.
    return settings.AUTH_USER_MODEL.lower(), str(obj.pk)
