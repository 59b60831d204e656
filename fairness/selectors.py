"""Reads of the fairness app: what the pages, the panels and the command show."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict

from django.db.models import Min, Prefetch, QuerySet

from fairness.attributes import ATTRIBUTES, CUSTOMER, Attribute, given_by
from fairness.kinds import decision_kind_label
from fairness.models import (
    FairnessAudit,
    FairnessAuditGroup,
    FairnessAuditUnit,
    MonitoringConsent,
    Verdict,
    VolunteeredAttribute,
)
from privacy.models import AISystem
from privacy.typing import Customer

HISTORY_AUDITS = 12


def latest_completed_audit() -> FairnessAudit | None:
    return FairnessAudit.objects.filter(status=FairnessAudit.Status.COMPLETED).order_by("-window_end", "-pk").first()


def audit_units(*, audit: FairnessAudit, systems: Iterable[AISystem] | None = None) -> QuerySet[FairnessAuditUnit]:
    """The audit's units with their groups (two queries), optionally for some AI systems only."""
    units = (
        FairnessAuditUnit.objects.filter(audit=audit)
        .select_related("ai_system")
        .prefetch_related(Prefetch("groups", queryset=FairnessAuditGroup.objects.order_by("pk")))
    )
    if systems is not None:
        units = units.filter(ai_system__in=systems)
    return units


@dataclass
class AttributeSummary:
    label: str
    verdict: str
    groups: list[FairnessAuditGroup]

    @property
    def flagged(self) -> list[FairnessAuditGroup]:
        return [g for g in self.groups if g.verdict in (Verdict.ALERT, Verdict.WATCH)]


def natural_order(attribute_key: str, groups: Iterable[FairnessAuditGroup]) -> list[FairnessAuditGroup]:
    """Groups as a person lists them: the attribute's own order of values, others alphabetically, "not given" last."""
    order = {code: index for index, (code, _label) in enumerate(ATTRIBUTES[attribute_key].values)}
    return sorted(groups, key=lambda g: (g.values[0] == "", order.get(g.values[0], len(order)), g.shown_label))


@dataclass
class KindSummary:
    label: str
    verdict: str
    attributes: list[AttributeSummary] = field(default_factory=list)


@dataclass
class SystemSummary:
    """One AI system's part of an audit, as the public page shows it: one attribute at a time."""

    audit: FairnessAudit
    verdict: str
    kinds: list[KindSummary]
    # Units in alert, then in watch.
    alerts: list[FairnessAuditUnit]

    @property
    def verdict_label(self) -> str:
        return str(Verdict(self.verdict).label)

    @property
    def flagged(self) -> list[tuple[str, str, FairnessAuditGroup]]:
        """(decision kind, attribute, group) of every group in alert or watch, for a sentence that names them."""
        return [
            (kind.label, attribute.label, group)
            for kind in self.kinds
            for attribute in kind.attributes
            for group in attribute.flagged
        ]


def system_summaries(*, audit: FairnessAudit | None, systems: Iterable[AISystem]) -> dict[int, SystemSummary]:
    """Each AI system's latest measured audit, by system pk (systems without decisions are left out)."""
    if audit is None:
        return {}
    by_system: dict[int, list[FairnessAuditUnit]] = defaultdict(list)
    for unit in audit_units(audit=audit, systems=systems):
        by_system[unit.ai_system_id].append(unit)
    summaries = {}
    for system_id, units in by_system.items():
        kinds: dict[str, KindSummary] = {}
        for unit in units:
            kind = kinds.setdefault(
                unit.decision_kind,
                KindSummary(decision_kind_label(unit.decision_kind, unit.decision_kind_label), Verdict.TOO_FEW),
            )
            kind.verdict = Verdict.worst([kind.verdict, unit.verdict])
            if not unit.is_intersection:
                kind.attributes.append(
                    AttributeSummary(
                        str(ATTRIBUTES[unit.attribute_set].label),
                        unit.verdict,
                        natural_order(unit.attribute_set, unit.groups.all()),
                    )
                )
        summaries[system_id] = SystemSummary(
            audit=audit,
            verdict=Verdict.worst(unit.verdict for unit in units),
            kinds=list(kinds.values()),
            alerts=sorted(
                (unit for unit in units if unit.verdict in (Verdict.ALERT, Verdict.WATCH)),
                key=lambda unit: -Verdict.severity(unit.verdict),
            ),
        )
    return summaries


class ImpactHistory(TypedDict):
    """One AI system's lowest impact ratios: per attribute, one per audit of `dates` (None where unmeasured)."""

    dates: list[datetime]
    series: dict[str, list[float | None]]


def impact_history(*, systems: Iterable[AISystem], audits: int = HISTORY_AUDITS) -> dict[int, ImpactHistory]:
    """Per AI system: the dates of the last audits and, per attribute, the lowest impact ratio
    of a judged group in each (one query for the audits, one GROUP BY for the ratios)."""
    recent = list(
        FairnessAudit.objects.filter(status=FairnessAudit.Status.COMPLETED).order_by("-window_end", "-pk")[:audits]
    )[::-1]
    dates = {audit.pk: audit.window_end for audit in recent}
    lowest = (
        FairnessAuditGroup.objects.filter(
            unit__audit_id__in=dates, unit__ai_system__in=systems, impact_ratio__isnull=False
        )
        .exclude(unit__attribute_set__contains="+")
        .values("unit__audit_id", "unit__ai_system_id", "unit__attribute_set")
        .annotate(lowest=Min("impact_ratio"))
        .order_by()
    )
    history: dict[int, ImpactHistory] = {}
    for row in lowest:
        series = history.setdefault(row["unit__ai_system_id"], {"dates": [a.window_end for a in recent], "series": {}})
        by_attribute = series["series"].setdefault(row["unit__attribute_set"], [None] * len(recent))
        by_attribute[list(dates).index(row["unit__audit_id"])] = row["lowest"]
    return history


def volunteered_answers(*, customer: Customer) -> dict[str, str]:
    return dict(VolunteeredAttribute.objects.filter(customer_id=customer.pk).values_list("attribute", "value"))


def monitoring_consent_stands(*, customer: Customer) -> bool:
    latest = MonitoringConsent.objects.filter(customer_id=customer.pk).first()
    return latest is not None and latest.granted


def volunteer_questions() -> list[Attribute]:
    return given_by(CUSTOMER)
