"""The request desk: the queue with its deadlines, staff decisions, the dashboard and the guidelines."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from privacy import selectors, services
from privacy.forms import DenyForm, ExtendForm
from privacy.models import PrivacyRequest
from privacy.typing import signed_in


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [("overdue", "Overdue"), ("week", "Due within 7 days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        open_requests = queryset.filter(status__in=PrivacyRequest.OPEN_STATUSES)
        if self.value() == "overdue":
            return open_requests.filter(due_at__lt=now)
        if self.value() == "week":
            return open_requests.filter(due_at__gte=now, due_at__lte=now + timedelta(days=7))
        return queryset


def _for_each(
    request: HttpRequest,
    queryset: QuerySet[PrivacyRequest],
    act: Callable[[PrivacyRequest], object],
    done: str,
    refused: tuple[type[Exception], ...] = (services.IllegalTransition,),
) -> None:
    """Run a service on each selected request, reporting each success or refusal."""
    for privacy_request in queryset:
        try:
            act(privacy_request)
            messages.success(request, f"{privacy_request}{done}")
        except refused as refusal:
            messages.error(request, f"{privacy_request}: {refusal}")


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin[PrivacyRequest]):
    list_display = ("id", "kind", "status", "customer", "submitted_at", "due_at", "days_left", "assignee")
    list_filter = ("kind", "status", OverdueFilter)
    list_select_related = ("user", "assignee")
    search_fields = ("user__email", "subject_ref")
    date_hierarchy = "submitted_at"
    readonly_fields = [
        f.name for f in PrivacyRequest._meta.fields if f.name not in ("receipt_email", "subject_public_id")
    ]
    exclude = ("receipt_email", "subject_public_id")
    actions = ["approve", "deny", "extend", "retry", "assign_to_me"]
    change_form_template = "privacy/admin/privacyrequest_change_form.html"
    change_list_template = "privacy/admin/privacyrequest_change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PrivacyRequest | None = None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("privacy.decide_privacyrequest")

    @admin.display(description="customer", ordering="user__email")
    def customer(self, obj: PrivacyRequest) -> str:
        if obj.user is None or obj.subject_erased_at is not None:
            return f"erased · ref {obj.subject_ref[:10]}…"
        return obj.user.email

    @admin.display(description="days left", ordering="due_at")
    def days_left(self, obj: PrivacyRequest) -> str:
        if not obj.is_open:
            return "—"
        now = timezone.now()
        if obj.due_at < now:
            return format_html('<strong class="overdue">{} days overdue</strong>', (now - obj.due_at).days)
        days = (obj.due_at - now).days
        return format_html('<span class="{}">{}</span>', "due-soon" if days <= 7 else "", days)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        privacy_request = self.get_object(request, object_id)
        timeline = selectors.audit_events_for(privacy_request) if privacy_request else []
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "timeline": timeline})

    def get_urls(self) -> list[URLPattern]:
        return [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="privacy_compliance_dashboard"),
            path(
                "guidelines/acknowledge/",
                self.admin_site.admin_view(self.acknowledge_view),
                name="privacy_guidelines_acknowledge",
            ),
            *super().get_urls(),
        ]

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("privacy.view_compliance_dashboard"):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "privacy/admin/dashboard.html",
            {
                **self.admin_site.each_context(request),
                "title": "Compliance dashboard",
                "figures": selectors.compliance_dashboard(),
            },
        )

    def acknowledge_view(self, request: HttpRequest) -> HttpResponseBase:
        guidelines = selectors.current_guidelines()
        if request.method == "POST" and guidelines:
            services.guidelines_acknowledge(guidelines=guidelines, staff_user=signed_in(request))
            messages.success(request, f"Thank you: version {guidelines.version} acknowledged.")
            next_url = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                # Support agents may not see the request queue: they go back to the desk.
                queue = self.has_view_permission(request)
                next_url = "admin:privacy_privacyrequest_changelist" if queue else "admin:index"
            return redirect(next_url)
        return TemplateResponse(
            request,
            "privacy/admin/acknowledge.html",
            {
                **self.admin_site.each_context(request),
                "title": "AI ethics and privacy guidelines",
                "guidelines": guidelines,
                "acknowledged": selectors.staff_acknowledged_current_guidelines(signed_in(request)),
            },
        )

    def _guarded(self, request: HttpRequest) -> bool:
        """Deciding needs the current guidelines acknowledged; say so instead of acting."""
        try:
            services.require_acknowledged_guidelines(signed_in(request))
        except services.GuidelinesNotAcknowledged as refusal:
            url = reverse("admin:privacy_guidelines_acknowledge")
            messages.error(request, format_html('{} <a href="{}">Read them now</a>.', str(refusal), url))
            return False
        return True

    @admin.action(description="Approve", permissions=["decide"])
    def approve(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> None:
        if not self._guarded(request):
            return
        staff_user = signed_in(request)
        _for_each(request, queryset, lambda r: services.request_approve(request=r, staff_user=staff_user), " approved.")

    @admin.action(description="Deny, with a reason the customer reads", permissions=["decide"])
    def deny(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> HttpResponse | None:
        if not self._guarded(request):
            return None
        staff_user = signed_in(request)
        form = DenyForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            _for_each(
                request,
                queryset,
                lambda r: services.request_deny(request=r, staff_user=staff_user, reason=reason),
                " denied; the customer is told why.",
            )
            return None
        return self._action_form(request, queryset, form, "deny", "Deny with a reason")

    @admin.action(description="Extend the deadline (once, up to 60 days)", permissions=["decide"])
    def extend(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> HttpResponse | None:
        if not self._guarded(request):
            return None
        staff_user = signed_in(request)
        form = ExtendForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            _for_each(
                request,
                queryset,
                lambda r: services.request_extend(request=r, staff_user=staff_user, **form.cleaned_data),
                ": deadline moved; the customer is told why.",
                refused=(services.IllegalTransition, ValueError),
            )
            return None
        return self._action_form(request, queryset, form, "extend", "Extend the deadline")

    @admin.action(description="Retry the failed job", permissions=["decide"])
    def retry(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> None:
        if not self._guarded(request):
            return
        staff_user = signed_in(request)
        _for_each(
            request, queryset, lambda r: services.request_retry(request=r, staff_user=staff_user), " queued again."
        )

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> None:
        staff_user = signed_in(request)
        for privacy_request in queryset:
            services.request_assign(request=privacy_request, staff_user=staff_user)
        messages.success(request, f"{queryset.count()} request(s) assigned to you.")

    def _action_form(
        self,
        request: HttpRequest,
        queryset: QuerySet[PrivacyRequest],
        form: forms.Form,
        action: str,
        title: str,
    ) -> HttpResponse:
        return TemplateResponse(
            request,
            "privacy/admin/action_form.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "requests": queryset,
                "title": title,
                "opts": self.model._meta,
                "action": action,
            },
        )
