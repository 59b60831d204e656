"""Counting decisions per group: one GROUP BY in the database, whatever the volume.

The database groups the window's decisions by AI system, decision kind and
the customer's value of *every* monitoring attribute at once (a cross-
tabulation). Each unit's groups — one attribute, or the intersection of two —
are sums of those cells, added up in Python over a few thousand rows at most.
Different customers add up too: a customer has one value per attribute, so
they fall in exactly one cell per system and kind.
"""

from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from django.db.models import Count, F, FilteredRelation, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from fairness.attributes import ATTRIBUTES, BUSINESS, CUSTOMER, NOT_GIVEN
from fairness.models import RecordedAttribute, VolunteeredAttribute
from fairness.statistics import Counts
from interactions.models import AIDecision

Outcome = AIDecision.Outcome

# A unit of an audit: (AI system pk, decision kind, attribute keys).
UnitKey = tuple[int, str, tuple[str, ...]]


@dataclass(frozen=True)
class Cell:
    ai_system_id: int
    kind: str
    kind_label: str
    # One value per attribute, in the order of ATTRIBUTES ("" = not given).
    values: tuple[str, ...]
    counts: Counts


# The decisions' customers' rows of each kind of attribute, reached through the customer.
_SOURCES = {CUSTOMER: "customer__fairness_volunteered_attributes", BUSINESS: "customer__fairness_recorded_attributes"}


def _attribute_joins() -> tuple[dict[str, FilteredRelation], dict[str, Coalesce]]:
    """One LEFT JOIN per attribute and source, and each attribute's value: volunteered first,
    else the business's, else not given.

    Joins, not a correlated subquery per attribute: PostgreSQL hash-joins the
    attribute rows once, where subqueries would look them up for each decision.
    """
    relations: dict[str, FilteredRelation] = {}
    values: dict[str, Coalesce] = {}
    for key, attribute in ATTRIBUTES.items():
        candidates = []
        for who in (CUSTOMER, BUSINESS):  # the customer's own answer wins
            if who in attribute.given_by:
                alias = f"{who}_{key}"
                relations[alias] = FilteredRelation(_SOURCES[who], condition=Q(**{f"{_SOURCES[who]}__attribute": key}))
                candidates.append(F(f"{alias}__value"))
        values[f"attr_{key}"] = Coalesce(*candidates, Value(NOT_GIVEN))
    return relations, values


def attribute_value(key: str) -> Coalesce:
    """One attribute's value for a decision's customer, as the audit counts it (for tests and checks)."""
    attribute = ATTRIBUTES[key]
    candidates = [
        Subquery(
            model.objects.filter(customer_id=OuterRef("customer_id"), attribute=key).order_by().values("value")[:1]
        )
        for who, model in ((CUSTOMER, VolunteeredAttribute), (BUSINESS, RecordedAttribute))
        if who in attribute.given_by
    ]
    return Coalesce(*candidates, Value(NOT_GIVEN))


def count_cells(*, window_start: datetime, window_end: datetime) -> list[Cell]:
    """The window's decisions counted per system, kind and every attribute's value: one query."""
    judged = ~Q(outcome=Outcome.NEUTRAL)
    relations, values = _attribute_joins()
    rows = (
        AIDecision.objects.filter(decided_at__gt=window_start, decided_at__lte=window_end)
        .annotate(**relations)
        .annotate(**values)
        .values("ai_system_id", "kind", *values)
        .annotate(
            favourable=Count("pk", filter=Q(outcome=Outcome.FAVOURABLE)),
            unfavourable=Count("pk", filter=Q(outcome=Outcome.UNFAVOURABLE)),
            neutral=Count("pk", filter=Q(outcome=Outcome.NEUTRAL)),
            customers=Count("customer_id", distinct=True, filter=judged),
            reviewed=Count("pk", filter=judged & ~Q(review_result="")),
            changed=Count("pk", filter=judged & Q(review_result=AIDecision.ReviewResult.CHANGED)),
            kind_label=Max("kind_label"),
        )
        .order_by()
    )
    return [
        Cell(
            ai_system_id=row["ai_system_id"],
            kind=row["kind"],
            kind_label=row["kind_label"],
            values=tuple(row[alias] for alias in values),
            counts=Counts(
                row["favourable"],
                row["unfavourable"],
                row["neutral"],
                row["customers"],
                row["reviewed"],
                row["changed"],
            ),
        )
        for row in rows.iterator()
    ]


def unit_attribute_sets() -> list[tuple[str, ...]]:
    """Every attribute alone, then every pair (the intersections)."""
    keys = list(ATTRIBUTES)
    return [(key,) for key in keys] + list(combinations(keys, 2))


def counts_per_unit(cells: list[Cell]) -> dict[UnitKey, dict[tuple[str, ...], Counts]]:
    """(system, kind, attributes) -> {group values: counts}, summed from the cells."""
    positions = {key: index for index, key in enumerate(ATTRIBUTES)}
    sums: dict[UnitKey, dict[tuple[str, ...], list[int]]] = {}
    for attributes in unit_attribute_sets():
        picks = [positions[key] for key in attributes]
        for cell in cells:
            groups = sums.setdefault((cell.ai_system_id, cell.kind, attributes), {})
            group = tuple(cell.values[i] for i in picks)
            total = groups.get(group)
            if total is None:
                groups[group] = list(cell.counts.as_tuple())
            else:
                for index, value in enumerate(cell.counts.as_tuple()):
                    total[index] += value
    return {unit: {group: Counts(*total) for group, total in groups.items()} for unit, groups in sums.items()}
