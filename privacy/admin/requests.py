"""The request queue and each request's page: deadlines first, decisions where staff look."""

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db.models import Case, F, QuerySet, When
from django.db.models.expressions import OrderBy
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from privacy import selectors
from privacy.admin.links import admin_url
from privacy.admin.request_decisions import RequestDecisionsAdmin
from privacy.admin.staff_words import StaffChoicesFilter
from privacy.languages import language_for_staff
from privacy.models import PrivacyRequest
from privacy.selectors.request_desk import DUE_SOON_DAYS, requests_due_soon, requests_overdue
from privacy.typing import signed_in


def _day(moment: datetime) -> str:
    """A date as staff screens show it (ISO, in the portal's time zone)."""
    return timezone.localtime(moment).date().isoformat()


class KindFilter(StaffChoicesFilter):
    title = "kind"
    parameter_name = "kind"
    labels = PrivacyRequest.STAFF_KIND_LABELS


class StatusFilter(StaffChoicesFilter):
    title = "status"
    parameter_name = "status"
    labels = PrivacyRequest.STAFF_STATUS_LABELS


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [("overdue", "Overdue"), ("week", f"Due within {DUE_SOON_DAYS} days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "overdue":
            return requests_overdue(queryset, now=timezone.now())
        if self.value() == "week":
            return requests_due_soon(queryset, now=timezone.now())
        return queryset


# Requests waiting for staff by their deadline, the nearest (so the most overdue) first; closed ones after.
# (An index, privacy_request_queue_idx, holds this order and "-id" after it.)
WAITING_FIRST = OrderBy(Case(When(status__in=PrivacyRequest.NEEDS_STAFF_STATUSES, then=F("due_at"))), nulls_last=True)


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(RequestDecisionsAdmin):
    list_display = ("request", "status_label", "customer", "language", "submitted", "deadline", "assignee")
    list_display_links = ("request",)
    list_filter = (OverdueFilter, StatusFilter, KindFilter)
    list_select_related = ("user", "assignee")
    search_fields = ("user__email", "subject_ref")
    # Requests waiting for staff first, the nearest deadline (so the most
    # overdue) on top; closed ones after, newest first. ("-id", not
    # "-submitted_at": no column claims to be the sort key of this order.)
    ordering = (WAITING_FIRST, "-id")
    # A filtered list says "Show all" rather than counting every request a second time.
    show_full_result_count = False
    exclude = ("receipt_email", "subject_public_id")
    fieldsets = (
        (
            "The record",
            {
                "fields": (
                    "customer_language",
                    ("submitted_at", "due_at"),
                    ("extended_at", "extension_reason"),
                    ("decided_at", "decided_by", "assignee"),
                    "denial_reason",
                    ("scheduled_for", "started_at", "finished_at"),
                    "failure_reason",
                )
            },
        ),
        (
            "The job, for troubleshooting",
            {
                "classes": ("collapse",),
                "fields": (
                    ("attempts", "failure_detail"),
                    ("claimed_by_task", "heartbeat_at"),
                    ("progress_done", "progress_total"),
                    "reminder_sent_at",
                    "subject_ref",
                    "subject_erased_at",
                ),
            },
        ),
    )
    readonly_fields = (
        *(f.name for f in PrivacyRequest._meta.fields if f.name not in ("receipt_email", "subject_public_id")),
        "customer_language",
    )
    change_form_template = "privacy/admin/privacyrequest_change_form.html"
    change_list_template = "privacy/admin/privacyrequest_change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PrivacyRequest | None = None) -> bool:
        # Nothing on a request is edited through a form: every change is a
        # decision with its own button and service. So its page is read-only
        # (no "Save" that saves nothing), while the queue keeps its actions.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: PrivacyRequest | None = None) -> bool:
        return False

    @admin.display(description="request", ordering="pk")
    def request(self, obj: PrivacyRequest) -> str:
        return str(obj)

    @admin.display(description="status", ordering="status")
    def status_label(self, obj: PrivacyRequest) -> str:
        return obj.staff_status

    @admin.display(description="customer", ordering="user__email")
    def customer(self, obj: PrivacyRequest) -> str:
        if obj.user is None or obj.subject_erased_at is not None:
            return f"erased · ref {obj.subject_ref[:10]}…"
        return obj.user.email

    # Staff answer in it: the customer reads their e-mails and pages in this language.
    # "language", beside "customer": the queue's columns are many already.
    @admin.display(description="language", ordering="user__preferred_language")
    def language(self, obj: PrivacyRequest) -> str:
        if obj.subject_erased_at is not None:
            return "—"
        return language_for_staff(obj.user)

    @admin.display(description="customer's language")
    def customer_language(self, obj: PrivacyRequest) -> str:
        """The same, on the request's page, where no "customer" column stands beside it."""
        return self.language(obj)

    @admin.display(description="submitted", ordering="submitted_at")
    def submitted(self, obj: PrivacyRequest) -> str:
        return _day(obj.submitted_at)

    # Sorting by the deadline keeps closed requests (whose deadline no longer matters) last.
    @admin.display(description="deadline", ordering=WAITING_FIRST)
    def deadline(self, obj: PrivacyRequest) -> SafeString:
        deadline = selectors.request_deadline(obj)
        if deadline.urgency == "closed":
            return format_html('<span class="deadline closed">{}</span>', _day(obj.due_at))
        return format_html(
            '<span class="deadline {}"><strong>{}</strong> · {}</span>',
            deadline.urgency,
            deadline.words,
            _day(obj.due_at),
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {"title": "Privacy requests", **(extra_context or {})})

    def get_urls(self) -> list[URLPattern]:
        return [*self.desk_urls(), *self.decision_urls(), *super().get_urls()]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        privacy_request = self.get_object(request, unquote(object_id))
        context: dict[str, Any] = {**(extra_context or {})}
        if privacy_request is not None:
            decisions = self.decisions_for(request, privacy_request)
            context |= {
                "title": f"{privacy_request}: {privacy_request.staff_status.lower()}",
                "subtitle": None,
                "privacy_request": privacy_request,
                "deadline": selectors.request_deadline(privacy_request),
                "decisions": decisions,
                "decision_buttons": [d for d in decisions if d.form is None],
                "decision_forms": [
                    (d, d.make_form(requests=[privacy_request])) for d in decisions if d.form is not None
                ],
                "needs_guidelines": self.has_decide_permission(request)
                and not selectors.staff_acknowledged_current_guidelines(signed_in(request)),
                "history": selectors.requests_of_same_subject(privacy_request),
                # Oldest first: the request's story in the order it happened.
                "timeline": selectors.audit_events_in_words(selectors.audit_events_for(privacy_request)),
                "customer_url": self._customer_url(request, privacy_request),
            }
        return super().change_view(request, object_id, form_url, context)

    def _customer_url(self, request: HttpRequest, privacy_request: PrivacyRequest) -> str | None:
        """The customer's admin page, if this staff member may open it (and the account is still there)."""
        if privacy_request.subject_erased_at is not None:
            return None
        return admin_url(request, get_user_model(), privacy_request.user_id, site=self.admin_site)
