"""Reads about human reviews: what a review is about, and the reviews of rows."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from privacy.models import HumanReviewRequest
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


def human_review_subject_source(review: HumanReviewRequest) -> Source | None:
    """The registry source of what a review is about (None if no longer declared)."""
    content_type = ContentType.objects.get_for_id(review.content_type_id)
    try:
        return registry.source(f"{content_type.app_label}.{content_type.model}")
    except KeyError:
        return None


def human_review_subject(*, review: HumanReviewRequest) -> SubjectView | None:
    """What `review` is about, looked up through its customer (None once erased or undeclared)."""
    source = human_review_subject_source(review)
    if source is None:
        return None
    row = rows_queryset(source, review.user).filter(pk=review.object_id).first()
    if row is None:
        return None
    return SubjectView(source, row_views(source, [row])[0], str(row))


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
