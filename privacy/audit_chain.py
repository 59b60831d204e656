"""What the audit trail's hashes and checkpoints cover: shared by the writer and the verifier.

Each event's hash is an HMAC-SHA256, keyed with AUDIT_KEY, of the event and the
previous event's hash. The key is never in the database: whoever can write the
database can change rows and recompute plain hashes, but cannot compute these.
A checkpoint is the trail's newest (sequence, hash), signed with the same key
and stored outside the database, so cutting events off the end, or rolling the
trail back, shows too.
"""

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

GENESIS_HASH = "0" * 64
CHECKPOINT_FORMAT = "portal-audit-checkpoint/1"
_CHECKPOINT_NAME = re.compile(r"checkpoint-(\d+)-\w+\.json")


def audit_key() -> bytes:
    return settings.PORTAL_AUDIT_KEY.encode()


def _message(
    *,
    prev_hash: str,
    sequence: int,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any],
    created_at: datetime,
) -> bytes:
    body = json.dumps(
        [sequence, actor_id, action, object_type, object_id, details, created_at.isoformat()],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return (prev_hash + body).encode()


def audit_event_hash(*, key: bytes, **fields: Any) -> str:
    """The row's content and the previous row's hash, HMAC-SHA256 under the audit key."""
    return hmac.new(key, _message(**fields), hashlib.sha256).hexdigest()


def legacy_audit_event_hash(**fields: Any) -> str:
    """The same content under plain SHA-256, as events were hashed before the trail was keyed.

    Anyone can recompute it, so the verifier accepts it only for events that a
    later keyed event seals (see migration 0013), never after a keyed one.
    """
    return hashlib.sha256(_message(**fields)).hexdigest()


@dataclass(frozen=True)
class AuditCheckpoint:
    sequence: int
    hash: str
    created_at: datetime

    @property
    def name(self) -> str:
        # The sequence leads, so a listing sorts by it and the newest is found by its name.
        return f"checkpoint-{self.sequence:012d}-{self.created_at:%Y%m%dT%H%M%S%fZ}.json"


class BadCheckpoint(Exception):
    """A checkpoint that cannot be read, or whose signature does not verify."""


def _checkpoint_signature(key: bytes, sequence: int, hash_: str, created_at: str) -> str:
    # The prefix keeps a checkpoint's signature from ever equalling an event's HMAC.
    message = json.dumps([CHECKPOINT_FORMAT, sequence, hash_, created_at], separators=(",", ":"))
    return hmac.new(key, b"checkpoint:" + message.encode(), hashlib.sha256).hexdigest()


def checkpoint_document(key: bytes, checkpoint: AuditCheckpoint) -> bytes:
    """The stored form: readable JSON, signed."""
    created_at = checkpoint.created_at.isoformat()
    document = {
        "format": CHECKPOINT_FORMAT,
        "sequence": checkpoint.sequence,
        "hash": checkpoint.hash,
        "created_at": created_at,
        "signature": _checkpoint_signature(key, checkpoint.sequence, checkpoint.hash, created_at),
    }
    return json.dumps(document, indent=2).encode()


def checkpoint_read(key: bytes, content: bytes) -> AuditCheckpoint:
    """The checkpoint a stored document holds, once its signature verifies."""
    try:
        document = json.loads(content)
        sequence, hash_, created_at = document["sequence"], document["hash"], document["created_at"]
        if document["format"] != CHECKPOINT_FORMAT or not isinstance(sequence, int) or not isinstance(hash_, str):
            raise BadCheckpoint("not an audit checkpoint")
        expected = _checkpoint_signature(key, sequence, hash_, created_at)
        if not hmac.compare_digest(str(document["signature"]), expected):
            raise BadCheckpoint("its signature does not verify")
        return AuditCheckpoint(sequence=sequence, hash=hash_, created_at=datetime.fromisoformat(created_at))
    except (ValueError, KeyError, TypeError) as exc:
        raise BadCheckpoint("not an audit checkpoint") from exc


def checkpoint_name_sequence(name: str) -> int | None:
    """The sequence a checkpoint's name claims (the signed content is what counts)."""
    match = _CHECKPOINT_NAME.fullmatch(name)
    return int(match.group(1)) if match else None
