"""Reads behind "My data", its pages and the inventory: every declared source, for one customer."""

import contextlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet
from django.urls import reverse

from privacy.exporting import SourceReader, source_metadata
from privacy.models import AIOutputFlag
from privacy.registry import PersonalField, Source, registry
from privacy.selectors.source_counts import source_row_counts
from privacy.selectors.sql_once import customer_rows
from privacy.source_words import SourceWords, few_values, source_words
from privacy.taxonomy import CATEGORIES, GROUPS
from privacy.typing import Customer
from privacy.values import display_confidence, display_value, related_fields_to_load

# The newest few of each kind: enough to recognise it, each with a link to all
# its entries (five made a page of tall tables a customer scrolled past).
ROWS_PER_SOURCE_ON_OVERVIEW = 3
ROWS_PER_PAGE = 25


@dataclass(frozen=True)
class FieldView:
    label: str
    value: str
    category: str
    derived_by_ai: bool = False
    ai_system: str = ""
    confidence: float | None = None
    # The same cell in staff words, for the desk (a review's subject).
    staff_label: str = ""
    staff_value: str | None = None  # None: the value reads the same for staff

    @property
    def confidence_text(self) -> str:
        """How sure the AI was, in words ("73 % sure"); empty when it did not say."""
        return display_confidence(self.confidence)


@dataclass(frozen=True)
class InForceView:
    """What is in force for the customer whatever is stored (Source.in_force), as a table."""

    columns: list[str]
    rows: list[tuple[str, ...]]

    @property
    def labelled_rows(self) -> list[list[tuple[str, str]]]:
        """Each row's cells with their column (a narrow screen shows the column beside each value)."""
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class RowView:
    pk: int
    cells: list[FieldView]
    # The AI system that touched this row (the source's row_ai_system_field).
    ai_system: str = ""
    # The row's own page, when its source has one.
    detail_url: str = ""
    # The row's HTML id, unique on a page listing several sources: where a
    # link (e.g. back from flagging it) lands.
    anchor: str = ""
    # The customer flagged what the AI wrote here (one flag per row).
    flagged: bool = False


@dataclass(frozen=True)
class SourceView:
    source: Source
    count: int
    rows: list[RowView]
    page: Page[Any] | None = None
    # The fields shown: the source's overview on "My data", every field on its own page.
    fields: tuple[PersonalField, ...] = ()
    in_force: InForceView | None = None

    @property
    def is_empty(self) -> bool:
        """Nothing stored and nothing in force: one name among the folded "other kinds"."""
        return not self.count and not (self.in_force and self.in_force.rows)

    @property
    def any_ai(self) -> bool:
        return any(row.ai_system for row in self.rows)

    @property
    def has_actions(self) -> bool:
        return bool(self.source.detail_url_name) or (
            (self.source.human_review or self.source.flaggable) and self.any_ai
        )

    @property
    def words(self) -> SourceWords:
        """The source's texts in the active language, as plain strings (translated once per process)."""
        return source_words(self.source)

    @property
    def field_labels(self) -> list[str]:
        labels = self.words.field_labels
        return [labels[f.name] for f in self.fields]

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


@dataclass(frozen=True)
class Overview:
    # The kinds of data we hold (or that are in force) about the customer, grouped.
    groups: list[GroupView]
    # The kinds we would hold but hold nothing of: named once, folded, rather
    # than a card each saying "nothing" (most customers' page was half such cards).
    empty: list[SourceView]


def _field_view(row: Model, source: Source, personal_field: PersonalField, words: SourceWords) -> FieldView:
    ai_system = ""
    confidence = None
    if personal_field.derived_by_ai:
        ai_system = str(getattr(row, personal_field.ai_system_field) or "")
        if personal_field.confidence_field:
            confidence = getattr(row, personal_field.confidence_field)
    name = personal_field.name
    return FieldView(
        label=words.field_labels[name],
        value=_cell_value(row, source, personal_field),
        category=words.field_categories[name],
        derived_by_ai=personal_field.derived_by_ai,
        ai_system=ai_system,
        confidence=confidence,
        staff_label=words.field_staff_labels[name],
        staff_value=source.field_staff_value(row, personal_field),
    )


def _cell_value(row: Model, source: Source, personal_field: PersonalField) -> str:
    """display_value, looked up for a column of few values (a choice, Yes/No) rather than worked out per cell."""
    if few := few_values(source, personal_field):
        # A column of few values is never a relation: its name is its attribute.
        value = getattr(row, personal_field.name)
        with contextlib.suppress(TypeError):  # an unhashable value (a list) is none of the few
            if value in few:
                return few[value]
    return display_value(row, source, personal_field)


def rows_queryset(source: Source, user: Customer) -> QuerySet[Any]:
    """The customer's rows of a source, in its order, with the related rows the page shows joined in."""
    queryset = source.rows_for(user).order_by(*source.ordering)
    related = related_fields_to_load(source)
    return queryset.select_related(*related) if related else queryset


def row_anchor(source: Source, pk: int) -> str:
    return f"{source.key.replace('.', '-')}-{pk}"


def row_views(
    source: Source,
    rows: Iterable[Model],
    fields: tuple[PersonalField, ...] | None = None,
    *,
    flagged: Collection[int] = (),
) -> list[RowView]:
    words = source_words(source)
    return [
        RowView(
            pk=row.pk,
            cells=[_field_view(row, source, f, words) for f in (fields or source.fields)],
            ai_system=str(getattr(row, source.row_ai_system_field) or "") if source.row_ai_system_field else "",
            detail_url=reverse(source.detail_url_name, args=[row.pk]) if source.detail_url_name else "",
            anchor=row_anchor(source, row.pk),
            flagged=row.pk in flagged,
        )
        for row in rows
    ]


def flagged_row_ids(*, user: Customer, source: Source, rows: Iterable[Model]) -> set[int]:
    """Which of these rows the customer flagged (one query; none for a source that cannot be flagged)."""
    rows = list(rows)
    if not source.flaggable or not rows:
        return set()
    return set(
        AIOutputFlag.objects.filter(
            user_id=user.pk,
            content_type=ContentType.objects.get_for_model(source.model),
            object_id__in=[row.pk for row in rows],
        ).values_list("object_id", flat=True)
    )


def personal_data_page_of_row(*, user: Customer, source: Source, row: Model) -> int:
    """The page of personal_data_source_page that shows `row` (one count query).

    The rows before it in the source's ordering, counted in SQL: a customer
    with 10,000 messages is not loaded to find one of them. The ordering ends
    in the pk where it can tie (messages sent in the same second).
    """
    queryset = rows_queryset(source, user)
    names = [name.removeprefix("-") for name in source.ordering]
    values = [getattr(row, name, None) for name in names]
    if any("__" in name for name in names) or any(value is None for value in values):
        # Related or empty ordering values: where the database puts them varies; find the row among the ids.
        position = list(queryset.values_list("pk", flat=True)).index(row.pk)
    else:
        before, ties = Q(), Q()
        for name, value, descending in zip(names, values, (n.startswith("-") for n in source.ordering), strict=True):
            before |= ties & Q(**{f"{name}__{'gt' if descending else 'lt'}": value})
            ties &= Q(**{name: value})
        position = queryset.filter(before).count()
    return position // ROWS_PER_PAGE + 1


def source_group_key(source: Source) -> str:
    return source.group or CATEGORIES[source.fields[0].category].group


def _in_force_view(source: Source, user: Customer) -> InForceView | None:
    if source.in_force is None:
        return None
    return InForceView([str(column) for column in source.in_force.columns], source.in_force.rows(user))


def _newest_rows(source: Source, user: Customer, how_many: int) -> list[Any]:
    """The customer's newest rows of a source, in SQL the ORM writes once per process (sql_once)."""
    return customer_rows(
        ("my data: newest rows", how_many),
        source,
        lambda customer: rows_queryset(source, customer)[:how_many],
        user,
    )


def personal_data_overview(*, user: Customer, rows_per_source: int = ROWS_PER_SOURCE_ON_OVERVIEW) -> Overview:
    """Every source listed for the customer with its newest rows, grouped as the
    page shows them; the kinds they hold nothing of apart, to be named once.

    One query counts every source's rows; then one page of rows (related
    objects joined in) per source that has any, plus what a source's in-force
    table reads (a fixed number), so the number of queries grows neither with
    the data nor with the kinds of data the customer holds nothing of.
    """
    by_group: dict[str, list[SourceView]] = {key: [] for key in GROUPS}
    empty: list[SourceView] = []
    sources = registry.sources
    counts = source_row_counts(user=user, sources=sources)
    for source in sources:
        count = counts[source.key]
        if not source.listed_for(user, count=count):
            continue
        # Most kinds hold nothing: their rows are neither asked for nor their query written.
        rows = _newest_rows(source, user, rows_per_source) if count else []
        flagged = flagged_row_ids(user=user, source=source, rows=rows)
        view = SourceView(
            source,
            count,
            row_views(source, rows, source.overview, flagged=flagged),
            fields=source.overview,
            in_force=_in_force_view(source, user),
        )
        if view.is_empty:
            empty.append(view)
        else:
            by_group[source_group_key(source)].append(view)
    return Overview([GroupView(key, str(GROUPS[key]), views) for key, views in by_group.items() if views], empty)


def personal_data_source_page(*, user: Customer, source_key: str, page_number: str | int | None) -> SourceView:
    """One source's rows, a page at a time (raises KeyError for an unknown source,
    or one not listed for the customer: a staff-only kind they hold nothing of)."""
    source = registry.source(source_key)
    paginator = Paginator(rows_queryset(source, user), ROWS_PER_PAGE)
    if not source.listed_for(user, count=paginator.count):
        raise KeyError(source_key)
    page = paginator.get_page(page_number)
    flagged = flagged_row_ids(user=user, source=source, rows=page.object_list)
    rows = row_views(source, page.object_list, flagged=flagged)
    return SourceView(
        source, paginator.count, rows, page=page, fields=source.fields, in_force=_in_force_view(source, user)
    )


def personal_data_summaries(*, user: Customer) -> list[tuple[str, list[tuple[str, object]]]]:
    return [
        (str(summary.title), [(str(label), value) for label, value in summary.provider(user)])
        for summary in registry.summaries
    ]


def personal_data_inventory(*, user: Customer) -> dict[str, Any]:
    """Everything declared about `user`, as JSON-safe data: what the CLI prints
    and what an export's data.json holds (the same reader builds both)."""
    return {
        "subject": {"id": user.pk, "public_id": str(user.public_id)},
        "sources": [
            {**source_metadata(source), "rows": list(SourceReader(source).rows(user))} for source in registry.sources
        ],
    }
