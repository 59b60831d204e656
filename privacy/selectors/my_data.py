"""Reads behind "My data", its pages and the inventory: every declared source, for one customer."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.urls import reverse

from privacy.exporting import SourceReader, source_metadata
from privacy.registry import PersonalField, Source, registry
from privacy.taxonomy import CATEGORIES, GROUPS
from privacy.typing import Customer
from privacy.values import display_value, related_fields_to_load

ROWS_PER_SOURCE_ON_OVERVIEW = 5
ROWS_PER_PAGE = 25


@dataclass(frozen=True)
class FieldView:
    label: str
    value: str
    category: str
    derived_by_ai: bool = False
    ai_system: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class RowView:
    pk: int
    cells: list[FieldView]
    # The AI system that touched this row (the source's row_ai_system_field).
    ai_system: str = ""
    # The row's own page, when its source has one.
    detail_url: str = ""


@dataclass(frozen=True)
class SourceView:
    source: Source
    count: int
    rows: list[RowView]
    page: Page[Any] | None = None
    # The fields shown: the source's overview on "My data", every field on its own page.
    fields: tuple[PersonalField, ...] = ()

    @property
    def any_ai(self) -> bool:
        return any(row.ai_system for row in self.rows)

    @property
    def has_actions(self) -> bool:
        return bool(self.source.detail_url_name) or (
            (self.source.human_review or self.source.flaggable) and self.any_ai
        )

    @property
    def field_labels(self) -> list[str]:
        return [self.source.field_label(f) for f in self.fields]

    @property
    def categories(self) -> list[str]:
        keys = dict.fromkeys(f.category for f in self.source.fields)
        return [CATEGORIES[key].label for key in keys]

    @property
    def list_url(self) -> str:
        """Where to see every entry: the source's own page, or the generic one."""
        if self.source.list_url_name:
            return reverse(self.source.list_url_name)
        return reverse("my_data_source", args=[self.source.key])

    @property
    def manage_url(self) -> str:
        return reverse(self.source.manage_url_name) if self.source.manage_url_name else ""


@dataclass(frozen=True)
class GroupView:
    key: str
    title: str
    sources: list[SourceView]


def _field_view(row: Model, source: Source, personal_field: PersonalField) -> FieldView:
    ai_system = ""
    confidence = None
    if personal_field.derived_by_ai:
        ai_system = str(getattr(row, personal_field.ai_system_field) or "")
        if personal_field.confidence_field:
            confidence = getattr(row, personal_field.confidence_field)
    return FieldView(
        label=source.field_label(personal_field),
        value=display_value(row, source, personal_field),
        category=CATEGORIES[personal_field.category].label,
        derived_by_ai=personal_field.derived_by_ai,
        ai_system=ai_system,
        confidence=confidence,
    )


def rows_queryset(source: Source, user: Customer) -> QuerySet[Any]:
    """The customer's rows of a source, in its order, with the related rows the page shows joined in."""
    queryset = source.rows_for(user).order_by(*source.ordering)
    related = related_fields_to_load(source)
    return queryset.select_related(*related) if related else queryset


def row_views(source: Source, rows: Iterable[Model], fields: tuple[PersonalField, ...] | None = None) -> list[RowView]:
    return [
        RowView(
            pk=row.pk,
            cells=[_field_view(row, source, f) for f in (fields or source.fields)],
            ai_system=str(getattr(row, source.row_ai_system_field) or "") if source.row_ai_system_field else "",
            detail_url=reverse(source.detail_url_name, args=[row.pk]) if source.detail_url_name else "",
        )
        for row in rows
    ]


def source_group_key(source: Source) -> str:
    return source.group or CATEGORIES[source.fields[0].category].group


def personal_data_overview(*, user: Customer, rows_per_source: int = ROWS_PER_SOURCE_ON_OVERVIEW) -> list[GroupView]:
    """Every declared source with its newest rows, grouped as the page shows them.

    Two queries per source (a count and one page of rows, related objects
    joined in), so the number of queries does not grow with the data.
    """
    by_group: dict[str, list[SourceView]] = {key: [] for key in GROUPS}
    for source in registry.sources:
        queryset = rows_queryset(source, user)
        count = queryset.count()
        rows = list(queryset[:rows_per_source]) if count else []
        by_group[source_group_key(source)].append(
            SourceView(source, count, row_views(source, rows, source.overview), fields=source.overview)
        )
    return [GroupView(key, GROUPS[key], views) for key, views in by_group.items() if views]


def personal_data_source_page(*, user: Customer, source_key: str, page_number: str | int | None) -> SourceView:
    """One source's rows, a page at a time (raises KeyError for an unknown source)."""
    source = registry.source(source_key)
    paginator = Paginator(rows_queryset(source, user), ROWS_PER_PAGE)
    page = paginator.get_page(page_number)
    return SourceView(source, paginator.count, row_views(source, page.object_list), page=page, fields=source.fields)


def personal_data_summaries(*, user: Customer) -> list[tuple[str, list[tuple[str, object]]]]:
    return [(summary.title, summary.provider(user)) for summary in registry.summaries]


def personal_data_inventory(*, user: Customer) -> dict[str, Any]:
    """Everything declared about `user`, as JSON-safe data: what the CLI prints
    and what an export's data.json holds (the same reader builds both)."""
    return {
        "subject": {"id": user.pk, "public_id": str(user.public_id)},
        "sources": [
            {**source_metadata(source), "rows": list(SourceReader(source).rows(user))} for source in registry.sources
        ],
    }
