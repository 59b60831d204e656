"""Reads about human reviews: what a review is about, and the reviews of rows."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from privacy.models import AIOutputFlag, HumanReviewRequest
from privacy.registry import Source, registry
from privacy.selectors.my_data import RowView, row_views, rows_queryset
from privacy.typing import Customer


@dataclass(frozen=True)
class SubjectView:
    """The row a human review is about, as the customer's data pages show it."""

    source: Source
    row: RowView
    # The row in a few words, e.g. "Refund request: Refund declined".
    title: str


def _declared_source(content_type_id: int) -> Source | None:
    content_type = ContentType.objects.get_for_id(content_type_id)
    try:
        return registry.source(f"{content_type.app_label}.{content_type.model}")
    except KeyError:
        return None


def _subject(*, content_type_id: int, object_id: int, user: Customer) -> SubjectView | None:
    """One row of a declared source, looked up through its customer (None once erased or undeclared).

    Staff see what a review or a flag is about through this, on that review's
    or flag's own page: no permission to browse the customer's data is needed.
    """
    source = _declared_source(content_type_id)
    if source is None:
        return None
    row = rows_queryset(source, user).filter(pk=object_id).first()
    if row is None:
        return None
    return SubjectView(source, row_views(source, [row])[0], str(row))


def subject_of_row(*, source: Source, row: Model) -> SubjectView:
    """A row the customer is about to ask about (found through them already), as a review's page shows it."""
    return SubjectView(source, row_views(source, [row])[0], str(row))


# A long conversation is shown with its newest messages, and how many there are.
SUBJECT_PART_ROWS = 100


@dataclass(frozen=True)
class SubjectPart:
    """Rows of another source that belong to a subject, e.g. a conversation's messages."""

    source: Source
    rows: list[RowView]
    # All of them; `rows` holds at most SUBJECT_PART_ROWS.
    count: int


def subject_parts(
    *, subject: SubjectView, user: Customer, limit: int = SUBJECT_PART_ROWS, excerpt: bool = False
) -> list[SubjectPart]:
    """What belongs to the subject, e.g. a conversation's messages, found through the registry.

    A source whose path to the customer runs through the subject's model (a
    message's "conversation__customer" beside a conversation's "customer")
    holds parts of it. One count and the newest `limit` rows per part, with
    every field, or (`excerpt`) the few that say which row it is.
    """
    parts = []
    for source in registry.sources:
        link, _, rest = source.subject_path.partition("__")
        if not rest or rest != subject.source.subject_path:
            continue
        if getattr(source.model._meta.get_field(link), "related_model", None) is not subject.source.model:
            continue
        rows = rows_queryset(source, user).filter(**{link: subject.row.pk})
        fields = source.excerpt if excerpt else source.fields
        parts.append(SubjectPart(source, row_views(source, rows[:limit], fields), rows.count()))
    return parts


def human_review_subject_source(review: HumanReviewRequest) -> Source | None:
    """The registry source of what a review is about (None if no longer declared)."""
    return _declared_source(review.content_type_id)


def human_review_subject(*, review: HumanReviewRequest) -> SubjectView | None:
    """What `review` is about, looked up through its customer (None once erased or undeclared)."""
    return _subject(content_type_id=review.content_type_id, object_id=review.object_id, user=review.user)


def ai_output_flag_subject(*, flag: AIOutputFlag) -> SubjectView | None:
    """The AI output `flag` is about, looked up through the customer who flagged it."""
    return _subject(content_type_id=flag.content_type_id, object_id=flag.object_id, user=flag.user)


def ai_output_flag_of_row(*, user: Customer, source: Source, row: Model) -> AIOutputFlag | None:
    """The customer's flag of this row, if they flagged it (there is at most one)."""
    return AIOutputFlag.objects.filter(
        user_id=user.pk, content_type=ContentType.objects.get_for_model(source.model), object_id=row.pk
    ).first()


def human_reviews_of_rows(
    *, user: Customer, model: type[Model], object_ids: Iterable[int]
) -> dict[int, HumanReviewRequest]:
    """The customer's newest review of each of these rows of `model`, by row pk (one query)."""
    reviews = HumanReviewRequest.objects.filter(
        user_id=user.pk, content_type=ContentType.objects.get_for_model(model), object_id__in=list(object_ids)
    ).order_by("object_id", "-created_at", "-pk")
    newest: dict[int, HumanReviewRequest] = {}
    for review in reviews:
        newest.setdefault(review.object_id, review)
    return newest


def human_reviews_of(*, user: Customer) -> QuerySet[HumanReviewRequest]:
    """The customer's reviews, newest first, each with its subject (one query per kind of subject)."""
    return HumanReviewRequest.objects.filter(user_id=user.pk).select_related("ai_system").prefetch_related("subject")
