"""The fairness panel of the staff's compliance dashboard."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString

from fairness import charts, selectors
from fairness.attributes import ATTRIBUTES
from fairness.models import FairnessAudit
from privacy.models import AISystem


def staff_dashboard_context(*, request: HttpRequest) -> dict[str, Any]:
    """Each AI system's status, a chart of its impact ratios over time, and its alerts (a fixed number of queries)."""
    audit = selectors.latest_completed_audit()
    systems = list(AISystem.objects.filter(is_active=True))
    summaries = selectors.system_summaries(audit=audit, systems=systems)
    history = selectors.impact_history(systems=systems)
    labels = {key: attribute.short for key, attribute in ATTRIBUTES.items()}
    rows: list[dict[str, Any]] = []
    for system in systems:
        summary = summaries.get(system.pk)
        trend = history.get(system.pk)
        chart: SafeString | None = None
        table: SafeString | None = None
        if trend:
            assert audit is not None  # a history has at least one completed audit
            title = f"Lowest impact ratio per attribute over time: {system.name}"
            chart = charts.impact_ratio_chart(
                title=title,
                dates=trend["dates"],
                series=trend["series"],
                labels=labels,
                alert_ratio=audit.alert_ratio,
                watch_ratio=audit.watch_ratio,
            )
            table = charts.values_table(dates=trend["dates"], series=trend["series"], labels=labels)
        rows.append(
            {
                "system": system,
                "summary": summary,
                "chart": chart,
                "table": table,
                "alerts": [
                    {
                        "unit": unit,
                        "url": reverse("admin:fairness_fairnessauditunit_change", args=[unit.pk]),
                        "attributes": " × ".join(labels[key] for key in unit.attributes),
                    }
                    for unit in (summary.alerts if summary else [])
                ],
            }
        )
    running = FairnessAudit.objects.filter(
        status__in=[FairnessAudit.Status.QUEUED, FairnessAudit.Status.RUNNING]
    ).first()
    return {
        "audit": audit,
        "systems": rows,
        "running": running,
        "can_run": request.user.has_perm("fairness.run_fairnessaudit"),
        "run_url": reverse("admin:fairness_fairnessaudit_run"),
        "audits_url": reverse("admin:fairness_fairnessaudit_changelist"),
    }
