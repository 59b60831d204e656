"""The audit trail, read-only, as staff read it: newest first, who did what on what, in words.

The stored values (the actor's ID, the codes, the hashes that chain the trail)
stay on each event's page for investigators, folded away.
"""

import json
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from privacy import selectors
from privacy.admin.links import admin_link
from privacy.admin.read_only import ReadOnlyAdmin
from privacy.audit_words import action_label, model_words
from privacy.models import AuditEvent
from privacy.selectors.audit_trail import AuditEventInWords

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec

# Where the described event rides on its row between the change list (or the
# event's page) and the columns: both have the request, the columns do not.
_IN_WORDS = "_in_words"
_ON_WHAT = "_on_what_html"


def _describe(request: HttpRequest, events: list[AuditEvent]) -> None:
    for described in selectors.audit_events_in_words(events):
        obj = described.on_what
        on_what: SafeString | str = ""
        if obj is not None:
            on_what = (
                admin_link(request, obj.model, obj.pk, obj.label)
                if obj.model is not None and obj.exists
                else format_html("{}", obj.label)
            )
        setattr(described.event, _IN_WORDS, described)
        setattr(described.event, _ON_WHAT, on_what)


def _in_words(event: AuditEvent) -> AuditEventInWords:
    described = getattr(event, _IN_WORDS, None)
    if described is None:  # shown outside the list and the event's page: described alone
        described = selectors.audit_events_in_words([event])[0]
        setattr(event, _IN_WORDS, described)
    assert isinstance(described, AuditEventInWords)
    return described


class AuditChangeList(ChangeList):
    """The change list, with its page of events described in a fixed number of queries."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.result_list = list(self.result_list)
        _describe(request, self.result_list)


class ActionFilter(admin.SimpleListFilter):
    title = "what"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = selectors.audit_actions_recorded()
        return sorted(((code, action_label(code)) for code in codes), key=lambda choice: choice[1].lower())

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return queryset.filter(action=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    title = "kind of record"
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        types = selectors.audit_object_types_recorded()
        return sorted(((label, model_words(label)) for label in types), key=lambda choice: choice[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    """Read-only: the audit trail can be read, never changed (a trigger refuses it on PostgreSQL too)."""

    list_display = ("sequence_number", "when", "who", "what", "on_what", "details_in_words")
    list_display_links = ("sequence_number",)
    list_filter = (ActionFilter, ObjectTypeFilter)
    search_fields = ("object_id", "action")
    # The newest first: what staff look for is what just happened. The chain's
    # own order (sequence) decides, not the clock.
    ordering = ("-sequence",)
    change_form_template = "privacy/admin/auditevent_change_form.html"
    # One COUNT of a long trail per page is enough (the filtered count).
    show_full_result_count = False
    stored_fields = (
        "sequence",
        "stored_created_at",
        "action",
        "actor_id",
        "object_type",
        "object_id",
        "stored_details",
        "prev_hash",
        "hash",
    )
    readonly_fields = ("when", "who", "what", "on_what", "details_in_words", *stored_fields)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return AuditChangeList

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {"title": "Audit trail, newest first", **(extra_context or {})})

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: AuditEvent | None = None,
    ) -> HttpResponse:
        if obj is not None:  # named in words, as in the list (the stored code is in the fold)
            context.update(title="Audit event", subtitle=f"#{obj.sequence}: {action_label(obj.action)}")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> AuditEvent | None:
        event = super().get_object(request, object_id, from_field)
        if event is not None:
            _describe(request, [event])
        return event

    def get_fieldsets(self, request: HttpRequest, obj: AuditEvent | None = None) -> "_FieldsetSpec":
        return [
            (None, {"fields": ["when", "who", "what", "on_what", "details_in_words"]}),
            (
                "The stored record, for investigators",
                {
                    "classes": ["collapse"],
                    "description": (
                        "Exactly what the trail holds. Each event's hash covers these values and the hash "
                        "before it, so a change anywhere breaks the chain "
                        "(<code>manage.py privacy verify-audit</code> checks it)."
                    ),
                    "fields": list(self.stored_fields),
                },
            ),
        ]

    @admin.display(description="#", ordering="sequence")
    def sequence_number(self, obj: AuditEvent) -> int:
        return obj.sequence

    @admin.display(description="When", ordering="sequence")
    def when(self, obj: AuditEvent) -> str:
        return format_date(timezone.localtime(obj.created_at), "j M Y, H:i:s")

    @admin.display(description="Who")
    def who(self, obj: AuditEvent) -> str:
        return _in_words(obj).who

    @admin.display(description="What")
    def what(self, obj: AuditEvent) -> str:
        return _in_words(obj).what

    @admin.display(description="On what")
    def on_what(self, obj: AuditEvent) -> SafeString | str:
        shown: SafeString | str | None = getattr(obj, _ON_WHAT, None)
        if shown is None:  # described outside the list and the event's page: no viewer to link for
            on_what = _in_words(obj).on_what
            return on_what.label if on_what is not None else "—"
        return shown or "—"

    @admin.display(description="Created at, as stored (UTC)")
    def stored_created_at(self, obj: AuditEvent) -> str:
        return obj.created_at.astimezone(UTC).isoformat()

    @admin.display(description="Details, as stored")
    def stored_details(self, obj: AuditEvent) -> str:
        return json.dumps(obj.details, ensure_ascii=False)

    @admin.display(description="Details")
    def details_in_words(self, obj: AuditEvent) -> SafeString | str:
        details = _in_words(obj).details
        if not details:
            return "—"
        return format_html(
            '<ul class="audit-details">{}</ul>', format_html_join("", "<li>{}: {}</li>", ((k, v) for k, v in details))
        )
