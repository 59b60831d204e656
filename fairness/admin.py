"""Fairness audits in the staff admin: read-only records, a drill-down, and "run now".

The monitoring attributes themselves have no admin on purpose: staff see
group totals, never who is in a group.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from fairness import charts, selectors, services
from fairness.attributes import ATTRIBUTES
from fairness.models import FairnessAudit, FairnessAuditUnit, Verdict
from privacy.admin.audited import audited
from privacy.admin.read_only import ReadOnlyAdmin


def verdict_badge(verdict: str) -> str:
    if not verdict:
        return "—"
    return format_html('<span class="verdict verdict-{}">{}</span>', verdict, Verdict(verdict).label)


@admin.register(FairnessAudit)
class FairnessAuditAdmin(ReadOnlyAdmin[FairnessAudit]):
    list_display = (
        "id",
        "window_end",
        "trigger",
        "status",
        "verdict_shown",
        "alerts",
        "decisions_counted",
        "finished_at",
    )
    list_filter = ("status", "verdict", "trigger")
    date_hierarchy = "window_end"

    @admin.display(description="verdict", ordering="verdict")
    def verdict_shown(self, obj: FairnessAudit) -> str:
        return verdict_badge(obj.verdict)

    def get_urls(self) -> list[URLPattern]:
        return [
            path("run/", self.admin_site.admin_view(require_POST(self.run_view)), name="fairness_fairnessaudit_run"),
            *super().get_urls(),
        ]

    @audited
    def run_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("fairness.run_fairnessaudit"):
            raise PermissionDenied
        try:
            audit = services.fairness_audit_request(trigger=FairnessAudit.Trigger.STAFF, actor_id=request.user.pk)
        except services.AuditAlreadyPending as pending:
            messages.info(
                request,
                f"Fairness audit #{pending.audit.pk} is already {pending.audit.get_status_display().lower()}; "
                "its results appear here when it completes.",
            )
        else:
            messages.success(request, f"Fairness audit #{audit.pk} is queued; a worker runs it in the background.")
        return redirect("admin:privacy_compliance_dashboard")

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        audit = self.get_object(request, object_id)
        if audit is None or not self.has_view_permission(request, audit):
            return super().change_view(request, object_id, form_url, extra_context)
        units = selectors.audit_units(audit=audit)
        labels = {key: str(a.label) for key, a in ATTRIBUTES.items()}
        rows = [
            {
                "unit": unit,
                "attributes": " × ".join(labels[key] for key in unit.attributes),
                "url": reverse("admin:fairness_fairnessauditunit_change", args=[unit.pk]),
                "verdict": verdict_badge(unit.verdict),
            }
            for unit in units
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(audit),
            "audit": audit,
            "verdict": verdict_badge(audit.verdict),
            "rows": rows,
        }
        return TemplateResponse(request, "fairness/admin/audit_detail.html", context)


@admin.register(FairnessAuditUnit)
class FairnessAuditUnitAdmin(ReadOnlyAdmin[FairnessAuditUnit]):
    list_display = (
        "id",
        "audit",
        "ai_system",
        "decision_kind_label",
        "attribute_set",
        "verdict_shown",
        "groups_judged",
        "groups_too_few",
    )
    list_filter = ("verdict", "ai_system", "attribute_set")
    list_select_related = ("audit", "ai_system")

    @admin.display(description="verdict", ordering="verdict")
    def verdict_shown(self, obj: FairnessAuditUnit) -> str:
        return verdict_badge(obj.verdict)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        unit = self.get_object(request, object_id)
        if unit is None or not self.has_view_permission(request, unit):
            return super().change_view(request, object_id, form_url, extra_context)
        groups = list(unit.groups.order_by("pk"))
        for group in groups:
            group.badge = verdict_badge(group.verdict)
        title = f"{unit.ai_system.name}: {unit.decision_kind_label} by {' × '.join(unit.attributes)}"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "unit": unit,
            "audit": unit.audit,
            "groups": groups,
            "attributes": " × ".join(str(ATTRIBUTES[key].label) for key in unit.attributes),
            "verdict": verdict_badge(unit.verdict),
            "chart": charts.group_rates_chart(title=f"Favourable rate per group: {title}", groups=groups),
            "audit_url": reverse("admin:fairness_fairnessaudit_change", args=[unit.audit_id]),
        }
        return TemplateResponse(request, "fairness/admin/unit_detail.html", context)
