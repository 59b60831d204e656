"""The figures of one audit unit, from its groups' counts (see shared FAIRNESS.md).

Pure functions over counts the database produced: no query, no model. The
statistics come from scipy.stats (Wilson intervals, Fisher's exact test, the
chi-square test of independence), never from hand-written formulas.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from fairness.models import Verdict


def _stats() -> Any:  # scipy has no type hints
    # Imported when an audit computes, not when the module loads: this module
    # is loaded with the admin, and scipy.stats cost every Django process
    # (web, each worker, each manage.py command) a second or more to start.
    from scipy import stats

    return stats


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
    interval = (
        _stats()
        .binomtest(np.asarray(favourable), np.asarray(decisions))
        .proportion_ci(confidence_level=0.95, method="wilson")
    )
    return [
        (float(low), float(high))
        for low, high in zip(np.atleast_1d(interval.low), np.atleast_1d(interval.high), strict=True)
    ]


def _binary_search(
    function: Callable[[np.ndarray], np.ndarray], target: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """For each element, the i in [lo, hi] with function(i) <= target < function(i + 1) — the same
    search scipy.stats.fisher_exact runs for one table (scipy's _binary_search_for_binom_tst), run
    for every table at once."""
    target, lo, hi = np.array(target, dtype=float), np.array(lo), np.array(hi)
    while np.any(lo < hi):
        mid = lo + (hi - lo) // 2
        value = function(mid)
        below, above, equal = value < target, value > target, value == target
        lo = np.where(below, mid + 1, lo)
        hi = np.where(above, mid - 1, hi)
        lo, hi = np.where(equal, mid, lo), np.where(equal, mid, hi)
    return np.where(function(lo) <= target, lo, lo - 1)


def fisher_exact_p_values(tables: ArrayLike) -> np.ndarray:
    """Two-sided p-values of Fisher's exact test for many 2×2 tables: scipy.stats.fisher_exact's.

    The same computation as scipy.stats.fisher_exact (scipy 1.18, two-sided) on
    scipy's own hypergeometric distribution, vectorised: fisher_exact takes one
    table per call (about 5 ms each), and an audit over a million decisions has
    hundreds of groups, which would cost more than counting the decisions.
    tests/fairness/test_statistics.py checks the two agree on thousands of tables.
    """
    c = np.asarray(tables, dtype=np.int64).reshape(-1, 2, 2)
    p = np.ones(len(c))
    degenerate = (c.sum(axis=1) == 0).any(axis=1) | (c.sum(axis=2) == 0).any(axis=1)
    n1, n2, n, x = c[:, 0, 0] + c[:, 0, 1], c[:, 1, 0] + c[:, 1, 1], c[:, 0, 0] + c[:, 1, 0], c[:, 0, 0]
    total = n1 + n2
    mode = ((n + 1) * (n1 + 1) / (total + 2)).astype(np.int64)
    hypergeom = _stats().hypergeom
    pexact = hypergeom.pmf(x, total, n1, n)
    pmode = hypergeom.pmf(mode, total, n1, n)
    gamma = 1 + 1e-14
    with np.errstate(divide="ignore", invalid="ignore"):
        at_mode = np.abs(pexact - pmode) / np.maximum(pexact, pmode) <= 1e-14
    todo = ~degenerate & ~at_mode
    # The observed table below the mode: its tail, plus the far tail no likelier than it.
    low = np.flatnonzero(todo & (x < mode))
    if low.size:
        args = total[low], n1[low], n[low]
        p_low = hypergeom.cdf(x[low], *args)
        far_side_likelier = hypergeom.pmf(n[low], *args) > pexact[low] * gamma
        guess = _binary_search(lambda k: -hypergeom.pmf(k, *args), -pexact[low] * gamma, mode[low], n[low])
        p[low] = np.where(far_side_likelier, p_low, p_low + hypergeom.sf(guess, *args))
    high = np.flatnonzero(todo & (x >= mode))
    if high.size:
        args = total[high], n1[high], n[high]
        p_high = hypergeom.sf(x[high] - 1, *args)
        far_side_likelier = hypergeom.pmf(0, *args) > pexact[high] * gamma
        guess = _binary_search(
            lambda k: hypergeom.pmf(k, *args), pexact[high] * gamma, np.zeros_like(mode[high]), mode[high]
        )
        p[high] = np.where(far_side_likelier, p_high, p_high + hypergeom.cdf(guess, *args))
    return np.minimum(p, 1.0)


def fisher_p_values(groups: list[Counts], unit: Counts) -> list[float | None]:
    """Each group against the rest of its unit; None where there is no rest to compare with."""
    tables = [
        [[g.favourable, g.unfavourable], [unit.favourable - g.favourable, unit.unfavourable - g.unfavourable]]
        for g in groups
    ]
    if not tables:
        return []
    p_values = fisher_exact_p_values(tables)
    return [None if unit.decisions == g.decisions else float(value) for g, value in zip(groups, p_values, strict=True)]


def chi2_p_value(groups: list[Counts]) -> float | None:
    """Whether outcomes depend on the group, for the unit as a whole (every group with decisions)."""
    rows = [[g.favourable, g.unfavourable] for g in groups if g.decisions]
    if len(rows) < 2 or not all(sum(column) for column in zip(*rows, strict=True)):
        return None  # one group, or every outcome the same: nothing to test
    return float(_stats().chi2_contingency(rows).pvalue)


def _verdict(group: GroupFigures, unit_overturn: float | None, t: Thresholds) -> str:
    ratio, p = group.impact_ratio, group.p_value
    significant = p is not None and p < t.significance
    if ratio is not None and ratio < t.alert_ratio and significant:
        return Verdict.ALERT
    overturned_often = (
        group.overturn_rate is not None
        and unit_overturn is not None
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

    intervals = dict(
        zip(
            judged,
            wilson_intervals([c.favourable for c in judged.values()], [c.decisions for c in judged.values()]),
            strict=True,
        )
    )
    p_values = dict(zip(judged, fisher_p_values(list(judged.values()), unit), strict=True))
    provisional = []
    for values, c in counts_by_group.items():
        if values not in judged:
            provisional.append(GroupFigures(values, Verdict.TOO_FEW))
            continue
        low, high = intervals[values]
        rate = rates[values]
        assert best is not None  # the highest of the judged groups' rates, this one's among them
        provisional.append(
            GroupFigures(
                values=values,
                verdict=Verdict.OK,
                decisions=c.decisions,
                favourable=c.favourable,
                rate=rate,
                ci_low=low,
                ci_high=high,
                impact_ratio=rate / best if best else None,
                parity_difference=rate - best,
                p_value=p_values[values],
                reviewed=c.reviewed if c.reviewed >= thresholds.min_group_size else None,
                overturn_rate=c.changed / c.reviewed if c.reviewed >= thresholds.min_group_size else None,
            )
        )
    groups = [
        g if g.too_few else GroupFigures(**{**g.__dict__, "verdict": _verdict(g, unit_overturn, thresholds)})
        for g in provisional
    ]
    judged_groups = [g for g in groups if not g.too_few]
    return UnitFigures(
        groups=groups,
        decisions=sum(counts_by_group[g.values].decisions for g in judged_groups),
        neutral=sum(counts_by_group[g.values].neutral for g in judged_groups),
        # `worst` is None exactly when `best` is (both are of the same rates).
        parity_ratio=(worst / best) if best and worst is not None else None,
        parity_difference=(best - worst) if best is not None and worst is not None else None,
        chi2_p_value=chi2_p_value(list(counts_by_group.values())),
        overturn_rate=unit_overturn,
        verdict=Verdict.worst(g.verdict for g in groups) if judged_groups else Verdict.TOO_FEW,
    )
