"""The verdict rules of shared FAIRNESS.md, on counts alone (no database)."""

import pytest

from fairness.statistics import Counts, Thresholds, unit_figures

T = Thresholds()


def by_values(figures):
    return {g.values: g for g in figures.groups}


def test_a_group_below_the_minimum_size_or_customers_is_too_few_and_keeps_no_figure():
    figures = unit_figures(
        {
            ("a",): Counts(favourable=20, unfavourable=10, customers=12),
            ("b",): Counts(favourable=20, unfavourable=9, customers=12),  # 29 decisions
            ("c",): Counts(favourable=50, unfavourable=50, customers=9),  # 9 customers
        },
        T,
    )
    groups = by_values(figures)
    assert groups[("a",)].verdict == "ok"
    for small in (("b",), ("c",)):
        assert groups[small].verdict == "too_few"
        assert (groups[small].decisions, groups[small].rate, groups[small].impact_ratio) == (None, None, None)
    assert figures.decisions == 30 and figures.groups_too_few == 2


def test_every_group_too_few_makes_the_unit_too_few_to_judge():
    figures = unit_figures({("a",): Counts(favourable=3, unfavourable=1, customers=2)}, T)
    assert figures.verdict == "too_few" and figures.parity_ratio is None


def test_alert_needs_a_low_ratio_and_significance_otherwise_watch():
    big = unit_figures(
        {
            ("a",): Counts(favourable=800, unfavourable=200, customers=500),
            ("b",): Counts(favourable=500, unfavourable=500, customers=500),
        },
        T,
    )
    assert by_values(big)[("b",)].verdict == "alert"
    small = unit_figures(
        {
            ("a",): Counts(favourable=27, unfavourable=3, customers=20),
            ("b",): Counts(favourable=21, unfavourable=9, customers=20),
        },
        T,
    )
    assert by_values(small)[("b",)].p_value >= 0.05 and by_values(small)[("b",)].verdict == "watch"


def test_a_significant_ratio_below_the_watch_threshold_is_watched():
    figures = unit_figures(
        {
            ("a",): Counts(favourable=9000, unfavourable=1000, customers=5000),
            ("b",): Counts(favourable=8500, unfavourable=1500, customers=5000),  # ratio 0.944
            ("c",): Counts(favourable=7700, unfavourable=2300, customers=5000),  # ratio 0.856, significant
        },
        T,
    )
    groups = by_values(figures)
    assert (groups[("b",)].verdict, groups[("c",)].verdict) == ("ok", "watch")
    assert figures.verdict == "watch"


def test_an_overturn_rate_above_twice_the_units_is_watched():
    figures = unit_figures(
        {
            ("a",): Counts(favourable=300, unfavourable=300, customers=100, reviewed=200, changed=20),
            ("b",): Counts(favourable=300, unfavourable=300, customers=100, reviewed=40, changed=30),
        },
        T,
    )
    groups = by_values(figures)
    assert figures.overturn_rate == pytest.approx(50 / 240)
    assert groups[("b",)].overturn_rate == pytest.approx(0.75) and groups[("b",)].verdict == "watch"
    assert groups[("a",)].verdict == "ok"


def test_overturn_rates_of_few_reviews_are_not_shown():
    figures = unit_figures({("a",): Counts(favourable=30, unfavourable=30, customers=30, reviewed=29, changed=29)}, T)
    assert figures.groups[0].overturn_rate is None and figures.groups[0].reviewed is None
    assert figures.overturn_rate is None


def test_edge_cases_leave_undefined_figures_empty_rather_than_wrong():
    alone = unit_figures({("a",): Counts(favourable=20, unfavourable=20, customers=20)}, T)
    assert alone.groups[0].p_value is None and alone.chi2_p_value is None  # nothing to compare with
    assert alone.groups[0].impact_ratio == 1.0 and alone.verdict == "ok"
    nobody_favoured = unit_figures(
        {
            ("a",): Counts(unfavourable=40, customers=20),
            ("b",): Counts(unfavourable=40, customers=20),
        },
        T,
    )
    assert nobody_favoured.groups[0].impact_ratio is None and nobody_favoured.parity_difference == 0
    assert nobody_favoured.chi2_p_value is None and nobody_favoured.verdict == "ok"


def test_the_unit_verdict_is_the_worst_of_its_groups():
    figures = unit_figures(
        {
            ("a",): Counts(favourable=800, unfavourable=200, customers=500),
            ("b",): Counts(favourable=790, unfavourable=210, customers=500),
            ("c",): Counts(favourable=400, unfavourable=600, customers=500),
            ("d",): Counts(favourable=1, customers=1),
        },
        T,
    )
    assert [g.verdict for g in figures.groups] == ["ok", "ok", "alert", "too_few"]
    assert figures.verdict == "alert"


def test_the_vectorised_fisher_test_gives_scipys_fisher_exact_p_values():
    import numpy as np
    from scipy import stats

    from fairness.statistics import fisher_exact_p_values

    rng = np.random.default_rng(2026)
    tables = [rng.integers(0, rng.choice([4, 40, 400, 40_000]), size=(2, 2)) for _ in range(400)]
    tables += [
        np.array(t)
        for t in (
            [[0, 0], [3, 4]],
            [[5, 0], [0, 5]],
            [[10, 10], [10, 10]],
            [[1, 0], [0, 0]],
            [[0, 5], [5, 0]],
            [[250_000, 80_000], [600_000, 70_000]],
        )
    ]
    expected = [stats.fisher_exact(table).pvalue for table in tables]
    assert list(fisher_exact_p_values(tables)) == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_a_portal_process_starts_without_loading_scipy_until_an_audit_needs_it(tmp_path):
    # scipy.stats took a second or more of every process's start (web, each worker, each command).
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, django; django.setup(); import portal.urls; from django.contrib import admin; "
        "admin.autodiscover(); before = 'scipy' in sys.modules; "
        "from fairness.statistics import Counts, Thresholds, unit_figures; "
        "unit_figures({('a',): Counts(60, 40, 90), ('b',): Counts(40, 60, 90)}, Thresholds()); "
        "print(before, 'scipy.stats' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["False", "True"]
