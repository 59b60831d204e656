"""The audit trail, read-only."""

from django.contrib import admin

from privacy.admin.read_only import ReadOnlyAdmin
from privacy.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    """Read-only: the audit trail can be read, never changed (a trigger refuses it on PostgreSQL too)."""

    list_display = ("sequence", "created_at", "action", "actor_id", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "action")
    readonly_fields = (
        "sequence",
        "created_at",
        "action",
        "actor_id",
        "object_type",
        "object_id",
        "details",
        "prev_hash",
        "hash",
    )
