"""Every figure of an audit equals what fairlearn (and scipy, called directly) computes on the same raw rows."""

import math
import random
from typing import Any

import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, demographic_parity_difference, demographic_parity_ratio, selection_rate
from scipy import stats

from fairness.attributes import NOT_GIVEN
from fairness.counting import attribute_value
from interactions.models import AIDecision
from tests.fairness.conftest import customers, decide, group_of, run_audit, unit_of

# Group sizes straddling the minimum (30 decisions, 10 customers), some well above it.
POPULATION = [
    ({"language": "en", "region": "north"}, 40, 0.80),
    ({"language": "en", "region": "south"}, 25, 0.75),
    ({"language": "de", "region": "north"}, 30, 0.55),
    ({"language": "de", "region": "south"}, 12, 0.50),
    ({"language": "es", "region": "north"}, 14, 0.70),
    ({"language": "fr"}, 4, 0.90),  # a small group, and region not given
    ({}, 11, 0.65),  # language not given
]


@pytest.fixture
def audited(refund_assistant):
    rng = random.Random(7)
    for recorded, people, rate in POPULATION:
        group = customers(people, recorded=recorded)
        n = people * 3
        favourable = sum(rng.random() < rate for _ in range(n))
        decide(
            group,
            refund_assistant,
            favourable=favourable,
            unfavourable=n - favourable,
            neutral=people // 4,
            changed=n // 10,
            upheld=n // 10,
        )
    return run_audit()


def raw_rows(*attributes) -> pd.DataFrame:
    """The decisions and their customers' values, row by row, straight from the database."""
    rows = (
        AIDecision.objects.exclude(outcome="neutral")
        .annotate(**{key: attribute_value(key) for key in attributes})
        .values("outcome", "customer_id", "review_result", *attributes)
    )
    frame = pd.DataFrame(list(rows))
    frame["favourable"] = (frame["outcome"] == "favourable").astype(int)
    return frame


def judged_groups(frame: pd.DataFrame, attributes) -> list[tuple[Any, ...]]:
    sizes = frame.groupby(list(attributes)).agg(n=("favourable", "size"), customers=("customer_id", "nunique"))
    return [
        index if isinstance(index, tuple) else (index,)
        for index, row in sizes.iterrows()
        if row.n >= 30 and row.customers >= 10
    ]


@pytest.mark.parametrize("attributes", [("language",), ("region",), ("language", "region")])
def test_rates_and_parity_equal_fairlearns_on_the_same_rows(audited, refund_assistant, attributes):
    frame = raw_rows(*attributes)
    judged = judged_groups(frame, attributes)
    assert len(judged) >= 2  # the check compares something
    keys = frame[list(attributes)].apply(tuple, axis=1)
    eligible = frame[keys.isin(judged)]
    features = eligible[list(attributes)] if len(attributes) > 1 else eligible[attributes[0]]
    frame_by_group = MetricFrame(
        metrics=selection_rate,
        y_true=eligible["favourable"],
        y_pred=eligible["favourable"],
        sensitive_features=features,
    ).by_group
    unit = unit_of(audited, refund_assistant, "+".join(attributes))
    for values in judged:
        group = group_of(unit, *values)
        expected = frame_by_group.loc[values if len(values) > 1 else values[0]]
        assert group.rate == pytest.approx(expected, abs=1e-12)
        assert group.impact_ratio == pytest.approx(expected / frame_by_group.max(), abs=1e-12)
        assert group.parity_difference == pytest.approx(expected - frame_by_group.max(), abs=1e-12)
    y = eligible["favourable"]
    assert unit.parity_ratio == pytest.approx(demographic_parity_ratio(y, y, sensitive_features=features), abs=1e-12)
    assert unit.parity_difference == pytest.approx(
        demographic_parity_difference(y, y, sensitive_features=features), abs=1e-12
    )


def test_intervals_p_values_chi_square_and_overturn_rates_equal_scipy_on_the_same_rows(audited, refund_assistant):
    frame = raw_rows("language")
    unit = unit_of(audited, refund_assistant, "language")
    for (language,) in judged_groups(frame, ("language",)):
        rows = frame[frame["language"] == language]
        rest = frame[frame["language"] != language]
        group = group_of(unit, language)
        k, n = int(rows["favourable"].sum()), len(rows)
        interval = stats.binomtest(k, n).proportion_ci(method="wilson")
        assert (group.decisions, group.favourable) == (n, k)
        assert (group.ci_low, group.ci_high) == (pytest.approx(interval.low), pytest.approx(interval.high))
        table = [[k, n - k], [int(rest["favourable"].sum()), len(rest) - int(rest["favourable"].sum())]]
        assert group.p_value == pytest.approx(stats.fisher_exact(table).pvalue)
        reviewed = rows[rows["review_result"] != ""]
        if len(reviewed) >= 30:
            assert group.reviewed == len(reviewed)
            assert group.overturn_rate == pytest.approx((reviewed["review_result"] == "changed").mean())
        else:
            assert group.reviewed is None and group.overturn_rate is None
    table = frame.groupby("language")["favourable"].agg(["sum", "size"])
    contingency = [[s, n - s] for s, n in zip(table["sum"], table["size"], strict=True)]
    assert unit.chi2_p_value == pytest.approx(stats.chi2_contingency(contingency).pvalue)


def test_not_given_is_a_group_of_its_own(audited, refund_assistant):
    unit = unit_of(audited, refund_assistant, "language")
    not_given = group_of(unit, NOT_GIVEN)
    assert not_given.label == "Not given"
    assert not_given.decisions == 33  # 11 customers × 3 decisions: judged like any other group


def test_neutral_decisions_are_left_out_of_rates_and_counted_apart(audited, refund_assistant):
    unit = unit_of(audited, refund_assistant, "language")
    judged = [g for g in unit.groups.all() if not g.too_few]
    assert sum(g.decisions for g in judged) == unit.decisions
    # French speakers are too few to judge: their neutral decisions are not counted either.
    neutral_of_judged = (
        AIDecision.objects.filter(outcome="neutral").exclude(customer__fairness_recorded_attributes__value="fr").count()
    )
    assert unit.neutral == neutral_of_judged == 10 + 6 + 7 + 3 + 3 + 2
    assert all(0 <= g.rate <= 1 and not math.isnan(g.rate) for g in judged)
