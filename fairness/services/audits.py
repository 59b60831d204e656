"""Fairness audits: asking for one, the job that runs it, and the alerts it raises."""

import hashlib
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from fairness.alerts import new_alert_units, send_alerts
from fairness.attributes import group_label
from fairness.counting import UnitKey, count_cells, counts_per_unit
from fairness.models import FairnessAudit, FairnessAuditGroup, FairnessAuditUnit, Verdict
from fairness.statistics import Thresholds, UnitFigures, unit_figures
from privacy.jobs import enqueue_on_commit
from privacy.services import audit_record

Status = FairnessAudit.Status
# By name: tasks call this module (see privacy.jobs).
RUN_FAIRNESS_AUDIT = "fairness.tasks.run_fairness_audit"


class AuditAlreadyPending(Exception):
    """An audit is already queued or running; a second one would count the same decisions."""

    def __init__(self, audit: FairnessAudit):
        super().__init__(f"fairness audit #{audit.pk} is already {audit.status}")
        self.audit = audit


def thresholds_from_settings() -> Thresholds:
    return Thresholds(
        min_group_size=settings.PORTAL_FAIRNESS_MIN_GROUP_SIZE,
        min_customers=settings.PORTAL_FAIRNESS_MIN_CUSTOMERS,
        alert_ratio=settings.PORTAL_FAIRNESS_ALERT_RATIO,
        watch_ratio=settings.PORTAL_FAIRNESS_WATCH_RATIO,
        significance=settings.PORTAL_FAIRNESS_SIGNIFICANCE,
        overturn_factor=settings.PORTAL_FAIRNESS_OVERTURN_FACTOR,
    )


def _thresholds_of(audit: FairnessAudit) -> Thresholds:
    return Thresholds(
        min_group_size=audit.min_group_size,
        min_customers=audit.min_customers,
        alert_ratio=audit.alert_ratio,
        watch_ratio=audit.watch_ratio,
        significance=audit.significance,
        overturn_factor=audit.overturn_factor,
    )


@transaction.atomic
def fairness_audit_request(
    *, trigger: str, actor_id: int | None = None, window_end: datetime | None = None, enqueue: bool = True
) -> FairnessAudit:
    """Ask for an audit of the window ending now (or at `window_end`); a worker runs it after commit.

    One for a worker at a time: while one is queued or running, asking again
    (a double click, the nightly schedule meeting a slow run) is refused.
    """
    if enqueue:
        pending = FairnessAudit.objects.filter(status__in=[Status.QUEUED, Status.RUNNING]).first()
        if pending is not None:
            raise AuditAlreadyPending(pending)
    end = window_end or timezone.now()
    thresholds = thresholds_from_settings()
    audit = FairnessAudit.objects.create(
        trigger=trigger,
        window_start=end - timedelta(days=settings.PORTAL_FAIRNESS_WINDOW_DAYS),
        window_end=end,
        **thresholds.__dict__,
    )
    audit_record(action="fairness.audit_requested", actor_id=actor_id, obj=audit, details={"trigger": trigger})
    if enqueue:
        enqueue_on_commit(RUN_FAIRNESS_AUDIT, audit.pk)
    return audit


def fairness_audit_claim(*, audit_id: int, task_id: str) -> FairnessAudit | None:
    """Take a queued audit (or take back our own after a redelivery); None when another has it."""
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, claimed_by_task=task_id)
    claimed = FairnessAudit.objects.filter(claimable, pk=audit_id).update(
        status=Status.RUNNING, claimed_by_task=task_id, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    return FairnessAudit.objects.get(pk=audit_id) if claimed else None


def fairness_audit_release(*, audit_id: int, error_name: str) -> None:
    """A transient error: back in the queue for the retry."""
    FairnessAudit.objects.filter(pk=audit_id, status=Status.RUNNING).update(
        status=Status.QUEUED, claimed_by_task="", heartbeat_at=timezone.now(), failure_detail=error_name[:200]
    )


def fairness_audit_fail(*, audit_id: int, error_name: str, task_id: str = "") -> None:
    failing = FairnessAudit.objects.filter(pk=audit_id, status__in=[Status.QUEUED, Status.RUNNING])
    if task_id:
        # A task the sweeper replaced must not fail its successor's run.
        failing = failing.filter(Q(claimed_by_task=task_id) | Q(claimed_by_task=""))
    if failing.update(status=Status.FAILED, finished_at=timezone.now(), failure_detail=error_name[:200]):
        audit_record(action="fairness.audit_failed", obj=FairnessAudit(pk=audit_id), details={"error": error_name})


def fairness_audits_requeue_stuck(*, stuck_for: timedelta) -> list[int]:
    """Audits whose message was lost (queued too long) or whose worker died (running, silent)."""
    cutoff = timezone.now() - stuck_for
    stuck = list(
        FairnessAudit.objects.filter(status__in=[Status.QUEUED, Status.RUNNING], heartbeat_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    FairnessAudit.objects.filter(pk__in=stuck).update(
        status=Status.QUEUED, claimed_by_task="", heartbeat_at=timezone.now()
    )
    return stuck


def _results_digest(units: list[tuple[FairnessAuditUnit, list[FairnessAuditGroup]]]) -> str:
    """SHA-256 over every stored figure, in a fixed order and form."""
    fields = (
        "label",
        "verdict",
        "decisions",
        "favourable",
        "rate",
        "ci_low",
        "ci_high",
        "impact_ratio",
        "parity_difference",
        "p_value",
        "reviewed",
        "overturn_rate",
    )
    canonical = [
        {
            "system": unit.ai_system_id,
            "kind": unit.decision_kind,
            "attributes": unit.attribute_set,
            "verdict": unit.verdict,
            "parity_ratio": unit.parity_ratio,
            "chi2_p_value": unit.chi2_p_value,
            "groups": [{"values": group.values, **{name: getattr(group, name) for name in fields}} for group in groups],
        }
        for unit, groups in units
    ]
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=repr).encode()).hexdigest()


def _unit_rows(
    audit: FairnessAudit, key: UnitKey, kind_label: str, figures: UnitFigures
) -> tuple[FairnessAuditUnit, list[FairnessAuditGroup]]:
    ai_system_id, kind, attributes = key
    unit = FairnessAuditUnit(
        audit=audit,
        ai_system_id=ai_system_id,
        decision_kind=kind,
        decision_kind_label=kind_label,
        attribute_set="+".join(attributes),
        decisions=figures.decisions,
        neutral=figures.neutral,
        groups_judged=figures.groups_judged,
        groups_too_few=figures.groups_too_few,
        parity_ratio=figures.parity_ratio,
        parity_difference=figures.parity_difference,
        chi2_p_value=figures.chi2_p_value,
        overturn_rate=figures.overturn_rate,
        verdict=figures.verdict,
    )
    # Judged groups first, least favoured first; then those too small to judge.
    ordered = sorted(figures.groups, key=lambda g: (g.too_few, g.rate if g.rate is not None else 0, g.values))
    groups = [
        FairnessAuditGroup(
            values=list(g.values),
            label=group_label(attributes, g.values),
            verdict=g.verdict,
            decisions=g.decisions,
            favourable=g.favourable,
            rate=g.rate,
            ci_low=g.ci_low,
            ci_high=g.ci_high,
            impact_ratio=g.impact_ratio,
            parity_difference=g.parity_difference,
            p_value=g.p_value,
            reviewed=g.reviewed,
            overturn_rate=g.overturn_rate,
        )
        for g in ordered
    ]
    return unit, groups


def fairness_audit_execute(*, audit: FairnessAudit) -> FairnessAudit | None:
    """Count, compute and store one audit. None when the run was handed to another task meanwhile."""
    cells = count_cells(window_start=audit.window_start, window_end=audit.window_end)
    kind_labels = {(cell.ai_system_id, cell.kind): cell.kind_label for cell in cells}
    thresholds = _thresholds_of(audit)
    results = [
        _unit_rows(audit, key, kind_labels[key[:2]], unit_figures(groups, thresholds))
        for key, groups in sorted(
            counts_per_unit(cells).items(), key=lambda item: (item[0][0], item[0][1], len(item[0][2]), item[0][2])
        )
    ]
    with transaction.atomic():
        locked = FairnessAudit.objects.select_for_update().get(pk=audit.pk)
        if locked.status != Status.RUNNING or locked.claimed_by_task != audit.claimed_by_task:
            return None
        units = FairnessAuditUnit.objects.bulk_create([unit for unit, _ in results])
        for unit, (_, groups) in zip(units, results, strict=True):
            for group in groups:
                group.unit = unit
        FairnessAuditGroup.objects.bulk_create([group for _, groups in results for group in groups])
        verdict = Verdict.worst(unit.verdict for unit in units) if units else Verdict.TOO_FEW
        alerting = new_alert_units(audit=locked, units=units)
        digest = _results_digest(results)
        FairnessAudit.objects.filter(pk=audit.pk).update(
            status=Status.COMPLETED,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            verdict=verdict,
            decisions_counted=sum(sum(cell.counts.as_tuple()[:3]) for cell in cells),
            alerts=sum(unit.verdict == Verdict.ALERT for unit in units),
            results_sha256=digest,
            failure_detail="",
        )
        locked.refresh_from_db()
        audit_record(
            action="fairness.audit_completed",
            obj=locked,
            details={
                "verdict": verdict,
                "units": len(units),
                "alerts": locked.alerts,
                "new_alerts": len(alerting),
                "window_end": locked.window_end.isoformat(),
                "results_sha256": digest,
            },
        )
        if alerting:
            send_alerts(audit=locked, units=alerting)
    return locked
