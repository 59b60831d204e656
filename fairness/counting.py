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

from django.db.models import Count, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from fairness.attributes import ATTRIBUTES, BUSINESS, CUSTOMER, NOT_GIVEN
from fairness.models import RecordedAttribute, VolunteeredAttribute
from fairness.statistics import Counts
from interactions.models import AIDecision

Outcome = AIDecision.Outcome


@dataclass(frozen=True)
class Cell:
    ai_system_id: int
    kind: str
    kind_label: str
    # One value per attribute, in the order of ATTRIBUTES ("" = not given).
    values: tuple[str, ...]
    counts: Counts


def attribute_value(key: str):
    """The customer's value of one attribute: volunteered first, else the business's, else not given."""
    attribute = ATTRIBUTES[key]
    candidates = []
    if CUSTOMER in attribute.given_by:
        candidates.append(Subquery(
            VolunteeredAttribute.objects.filter(customer_id=OuterRef("customer_id"), attribute=key).values("value")[:1]
        ))
    if BUSINESS in attribute.given_by:
        candidates.append(Subquery(
            RecordedAttribute.objects.filter(customer_id=OuterRef("customer_id"), attribute=key).values("value")[:1]
        ))
    return Coalesce(*candidates, Value(NOT_GIVEN))


def count_cells(*, window_start: datetime, window_end: datetime) -> list[Cell]:
    """The window's decisions counted per system, kind and every attribute's value: one query."""
    judged = ~Q(outcome=Outcome.NEUTRAL)
    aliases = {f"attr_{key}": attribute_value(key) for key in ATTRIBUTES}
    rows = (
        AIDecision.objects.filter(decided_at__gt=window_start, decided_at__lte=window_end)
        .annotate(**aliases)
        .values("ai_system_id", "kind", *aliases)
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
            values=tuple(row[alias] for alias in aliases),
            counts=Counts(row["favourable"], row["unfavourable"], row["neutral"], row["customers"], row["reviewed"],
                          row["changed"]),
        )
        for row in rows.iterator()
    ]


def unit_attribute_sets() -> list[tuple[str, ...]]:
    """Every attribute alone, then every pair (the intersections)."""
    keys = list(ATTRIBUTES)
    return [(key,) for key in keys] + list(combinations(keys, 2))


def counts_per_unit(cells: list[Cell]) -> dict[tuple[int, str, tuple[str, ...]], dict[tuple[str, ...], Counts]]:
    """(system, kind, attributes) -> {group values: counts}, summed from the cells."""
    positions = {key: index for index, key in enumerate(ATTRIBUTES)}
    units: dict = {}
    for attributes in unit_attribute_sets():
        picks = [positions[key] for key in attributes]
        for cell in cells:
            groups = units.setdefault((cell.ai_system_id, cell.kind, attributes), {})
            group = tuple(cell.values[i] for i in picks)
            groups[group] = groups[group] + cell.counts if group in groups else cell.counts
    return units
