"""The e-mail outbox, read-only: that an e-mail went out, never what it said."""

from django.contrib import admin
from django.http import HttpRequest

from privacy.admin.audited import AuditedAdmin
from privacy.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(AuditedAdmin[OutboundEmail]):
    """Delivery status only: staff see that an e-mail went out, not what it said."""

    list_display = ("id", "template", "status", "attempts", "last_error", "created_at", "sent_at")
    list_filter = ("status", "template")
    fields = ("template", "status", "attempts", "last_error", "created_at", "sent_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboundEmail | None = None) -> bool:
        return False
