"""What each audit-trail row's hash covers: shared by the writer and the verifier."""

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


def audit_event_hash(
    *,
    prev_hash: str,
    sequence: int,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any],
    created_at: datetime,
) -> str:
    """The row's content and the previous row's hash, hashed."""
    body = json.dumps(
        [sequence, actor_id, action, object_type, object_id, details, created_at.isoformat()],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()
