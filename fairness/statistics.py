"""The figures of one audit unit, from its groups' counts (see shared FAIRNESS.md).

Pure functions over counts the database produced: no query, no model. The
statistics come from scipy.stats (Wilson intervals, Fisher's exact test, the
chi-square test of independence), never from hand-written formulas.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from fairness.models import Verdict


@dataclass(frozen=True)
class Counts:
    """What the database counted for one group (or one cell of the cross-tabulation)."""

    favourable: int = 0
    unfavourable: int = 0
    neutral: int = 0
    # Different customers among the favourable and unfavourable decisions.
    customers: int = 0
    # Favourable and unfavourable decisions a person reviewed, and of those, changed.
    reviewed: int = 0
    changed: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, ...]:
        return (self.favourable, self.unfavourable, self.neutral, self.customers, self.reviewed, self.changed)

    @property
    def decisions(self) -> int:
        return self.favourable + self.unfavourable


@dataclass(frozen=True)
class Thresholds:
    min_group_size: int = 30
    min_customers: int = 10
    alert_ratio: float = 0.8
    watch_ratio: float = 0.9
    significance: float = 0.05
    overturn_factor: float = 2.0


@dataclass(frozen=True)
class GroupFigures:
    values: tuple[str, ...]
    verdict: str
    # Every figure below is None for a group too small to judge.
    decisions: int | None = None
    favourable: int | None = None
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    impact_ratio: float | None = None
    parity_difference: float | None = None
    p_value: float | None = None
    reviewed: int | None = None
    overturn_rate: float | None = None

    @property
    def too_few(self) -> bool:
        return self.verdict == Verdict.TOO_FEW


@dataclass(frozen=True)
class UnitFigures:
    groups: list[GroupFigures] = field(default_factory=list)
    decisions: int = 0
    neutral: int = 0
    parity_ratio: float | None = None
    parity_difference: float | None = None
    chi2_p_value: float | None = None
    overturn_rate: float | None = None
    verdict: str = Verdict.TOO_FEW

    @property
    def groups_judged(self) -> int:
        return sum(not g.too_few for g in self.groups)

    @property
    def groups_too_few(self) -> int:
        return sum(g.too_few for g in self.groups)


def too_few(counts: Counts, thresholds: Thresholds) -> bool:
    """Too few decisions, or too few customers: judging would single people out."""
    return counts.decisions < thresholds.min_group_size or counts.customers < thresholds.min_customers


def wilson_intervals(favourable: list[int], decisions: list[int]) -> list[tuple[float, float]]:
    """95 % Wilson score intervals of several groups' rates, in one vectorised scipy call."""
    if not decisions:
        return []
    interval = stats.binomtest(np.asarray(favourable), np.asarray(decisions)).proportion_ci(
        confidence_level=0.95, method="wilson"
    )
    return [(float(low), float(high)) for low, high in zip(np.atleast_1d(interval.low), np.atleast_1d(interval.high), strict=True)]


def fisher_p_value(group: Counts, unit: Counts) -> float | None:
    """The group against the rest of its unit; None when there is no rest to compare with."""
    rest_favourable = unit.favourable - group.favourable
    rest_unfavourable = unit.unfavourable - group.unfavourable
    if rest_favourable + rest_unfavourable == 0:
        return None
    table = [[group.favourable, group.unfavourable], [rest_favourable, rest_unfavourable]]
    return float(stats.fisher_exact(table).pvalue)


def chi2_p_value(groups: list[Counts]) -> float | None:
    """Whether outcomes depend on the group, for the unit as a whole (every group with decisions)."""
    rows = [[g.favourable, g.unfavourable] for g in groups if g.decisions]
    if len(rows) < 2 or not all(sum(column) for column in zip(*rows, strict=True)):
        return None  # one group, or every outcome the same: nothing to test
    return float(stats.chi2_contingency(rows).pvalue)


def _verdict(group: GroupFigures, unit_overturn: float | None, t: Thresholds) -> str:
    ratio, p = group.impact_ratio, group.p_value
    significant = p is not None and p < t.significance
    if ratio is not None and ratio < t.alert_ratio and significant:
        return Verdict.ALERT
    overturned_often = (
        group.overturn_rate is not None and unit_overturn is not None
        and group.overturn_rate > t.overturn_factor * unit_overturn
    )
    if ratio is not None and (ratio < t.alert_ratio or (ratio < t.watch_ratio and significant)):
        return Verdict.WATCH
    if overturned_often:
        return Verdict.WATCH
    return Verdict.OK


def unit_figures(counts_by_group: dict[tuple[str, ...], Counts], thresholds: Thresholds) -> UnitFigures:
    """Every figure of one unit, from each group's counts."""
    unit = sum(counts_by_group.values(), Counts())
    judged = {values: c for values, c in counts_by_group.items() if not too_few(c, thresholds)}
    rates = {values: c.favourable / c.decisions for values, c in judged.items()}
    best = max(rates.values(), default=None)
    worst = min(rates.values(), default=None)
    unit_overturn = unit.changed / unit.reviewed if unit.reviewed >= thresholds.min_group_size else None

    intervals = dict(zip(judged, wilson_intervals([c.favourable for c in judged.values()],
                                                  [c.decisions for c in judged.values()]), strict=True))
    provisional = []
    for values, c in counts_by_group.items():
        if values not in judged:
            provisional.append(GroupFigures(values, Verdict.TOO_FEW))
            continue
        low, high = intervals[values]
        rate = rates[values]
        provisional.append(GroupFigures(
            values=values,
            verdict=Verdict.OK,
            decisions=c.decisions,
            favourable=c.favourable,
            rate=rate,
            ci_low=low,
            ci_high=high,
            impact_ratio=rate / best if best else None,
            parity_difference=rate - best,
            p_value=fisher_p_value(c, unit),
            reviewed=c.reviewed if c.reviewed >= thresholds.min_group_size else None,
            overturn_rate=c.changed / c.reviewed if c.reviewed >= thresholds.min_group_size else None,
        ))
    groups = [
        g if g.too_few else GroupFigures(**{**g.__dict__, "verdict": _verdict(g, unit_overturn, thresholds)})
        for g in provisional
    ]
    judged_groups = [g for g in groups if not g.too_few]
    return UnitFigures(
        groups=groups,
        decisions=sum(g.decisions for g in judged_groups),
        neutral=sum(counts_by_group[g.values].neutral for g in judged_groups),
        parity_ratio=(worst / best) if best else None,
        parity_difference=(best - worst) if best is not None else None,
        chi2_p_value=chi2_p_value(list(counts_by_group.values())),
        overturn_rate=unit_overturn,
        verdict=Verdict.worst(g.verdict for g in groups) if judged_groups else Verdict.TOO_FEW,
    )
