"""Writes for human review requests and AI-output flags."""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from privacy.models import AIOutputFlag, AISystem, HumanReviewRequest
from privacy.notifications import portal_url, send_customer_email
from privacy.registry import Source
from privacy.selectors import human_review_subject_source
from privacy.services.audit import audit_record
from privacy.services.guidelines import require_acknowledged_guidelines
from privacy.typing import Customer


class NotAllowed(Exception):
    """The action does not apply to this row (no AI touched it, or not offered)."""


class AlreadyFlagged(Exception):
    """The customer flagged this output before: one flag per output (the database keeps it so)."""

    def __init__(self, flag: AIOutputFlag) -> None:
        super().__init__("this output is flagged already")
        self.flag = flag


def _ai_system_of(source: Source, row: Model) -> AISystem | None:
    if not source.row_ai_system_field:
        return None
    ai_system: AISystem | None = getattr(row, source.row_ai_system_field)
    return ai_system


def human_review_request(
    *, user: Customer, source: Source, row: Model, statement: str, contests_outcome: bool
) -> HumanReviewRequest:
    """A customer asks a person to review an AI-handled row of theirs.

    Asking again about a row whose review is still open returns that review:
    a second click must not queue the same question twice (the database keeps
    one open review per row, also for two requests at the same moment). An AI
    outcome (a decision) is reviewed once: asking again returns the review it had.
    """
    ai_system = _ai_system_of(source, row)
    if not source.human_review or ai_system is None:
        raise NotAllowed("a person can review only what an AI handled")
    # Contesting an AI outcome (a decision) needs no words: the outcome itself
    # is the question. Anything else needs to say what to look at.
    if not statement.strip() and source.review_outcomes is None:
        raise ValueError("tell us what you would like reviewed")
    content_type = ContentType.objects.get_for_model(source.model)
    with transaction.atomic():
        earlier = HumanReviewRequest.objects.select_for_update().filter(
            user_id=user.pk, content_type=content_type, object_id=row.pk
        )
        if source.review_outcomes is None:
            earlier = earlier.exclude(status=HumanReviewRequest.Status.ANSWERED)
        open_review = earlier.order_by("-created_at", "-pk").first()
        if open_review is not None:
            return open_review
        try:
            with transaction.atomic():
                review = HumanReviewRequest.objects.create(
                    user_id=user.pk,
                    content_type=content_type,
                    object_id=row.pk,
                    ai_system=ai_system,
                    statement=statement.strip(),
                    contests_outcome=contests_outcome or source.review_outcomes is not None,
                    due_at=timezone.now() + timedelta(days=settings.PORTAL_HUMAN_REVIEW_DAYS),
                )
        except IntegrityError:
            # The lock above cannot hold a row that did not exist yet: a request
            # at the same moment made the open review first, and this one has it.
            concurrent = earlier.order_by("-created_at", "-pk").first()
            if concurrent is None:
                raise
            return concurrent
        audit_record(
            action="human_review.requested",
            actor_id=user.pk,
            obj=review,
            details={"ai_system": ai_system.pk, "subject": source.key},
        )
    return review


def human_review_start(*, review: HumanReviewRequest, staff_user: Customer | None) -> bool:
    """A person takes the review; the customer sees it is being looked at."""
    started = HumanReviewRequest.objects.filter(pk=review.pk, status=HumanReviewRequest.Status.OPEN).update(
        status=HumanReviewRequest.Status.IN_REVIEW
    )
    if started:
        audit_record(action="human_review.started", actor_id=getattr(staff_user, "pk", None), obj=review)
    return bool(started)


@transaction.atomic
def human_review_answer(
    *,
    review: HumanReviewRequest,
    answer: str,
    staff_user: Customer | None,
    result: str,
    new_outcome: str = "",
    new_outcome_label: str = "",
) -> HumanReviewRequest:
    """A person answers: the outcome stands (upheld) or was changed, and why.

    When the subject is an AI outcome (its source declares review outcomes),
    a change names the new outcome, and the subject's own app records it on
    the row, where the customer sees it and the fairness audits count it.
    """
    if staff_user is not None:
        require_acknowledged_guidelines(staff_user)
    if not answer.strip():
        raise ValueError("an answer cannot be empty")
    if result not in HumanReviewRequest.Result.values:
        raise ValueError("say whether the outcome stands (upheld) or was changed")
    source = human_review_subject_source(review)
    outcomes = source.review_outcomes if source else None
    if result == HumanReviewRequest.Result.CHANGED and outcomes is not None:
        labels = dict(outcomes.choices)
        if new_outcome not in labels:
            raise ValueError("a changed decision needs its new outcome: " + ", ".join(labels))
        new_outcome_label = new_outcome_label.strip() or str(labels[new_outcome])
    else:
        new_outcome, new_outcome_label = "", ""
    locked = HumanReviewRequest.objects.select_for_update().get(pk=review.pk)
    if locked.status == HumanReviewRequest.Status.ANSWERED:
        raise ValueError("this review is answered already; the customer has the answer")
    review.answer = answer.strip()
    review.result = result
    review.new_outcome = new_outcome
    review.new_outcome_label = new_outcome_label
    review.status = HumanReviewRequest.Status.ANSWERED
    review.answered_at = timezone.now()
    review.answered_by_id = staff_user.pk if staff_user is not None else None
    review.save(
        update_fields=["answer", "result", "new_outcome", "new_outcome_label", "status", "answered_at", "answered_by"]
    )
    if outcomes is not None and source is not None:
        row = source.rows_for(review.user).filter(pk=review.object_id).first()
        if row is not None:
            outcomes.record(row, result, new_outcome, new_outcome_label)
    audit_record(
        action="human_review.answered",
        actor_id=getattr(staff_user, "pk", None),
        obj=review,
        details={
            "ai_system": review.ai_system_id,
            "contested": review.contests_outcome,
            "result": result,
            "new_outcome": new_outcome,
        },
    )
    send_customer_email(
        user=review.user,
        name="human_review_answered",
        context={"review": review, "review_url": portal_url(reverse("human_review_detail", args=[review.pk]))},
    )
    return review


def ai_output_flag(*, user: Customer, source: Source, row: Model, reason: str, comment: str) -> AIOutputFlag:
    """A customer flags what an AI wrote as wrong or unfair, once per output.

    A second flag of the same output raises AlreadyFlagged (with the first):
    the team reviews the first one, and a count of flags per AI system must
    not grow with repeated clicks. The database's one_flag_per_output keeps
    this also for two requests at the same moment.
    """
    ai_system = _ai_system_of(source, row)
    if not source.flaggable or ai_system is None:
        raise NotAllowed("only something an AI wrote can be flagged")
    if reason not in AIOutputFlag.Reason.values:
        raise ValueError(f"unknown reason {reason!r}")
    content_type = ContentType.objects.get_for_model(source.model)
    try:
        with transaction.atomic():
            return AIOutputFlag.objects.create(
                user_id=user.pk,
                content_type=content_type,
                object_id=row.pk,
                ai_system=ai_system,
                reason=reason,
                comment=comment.strip(),
            )
    except IntegrityError:
        earlier = AIOutputFlag.objects.filter(user_id=user.pk, content_type=content_type, object_id=row.pk).first()
        if earlier is None:
            raise
        raise AlreadyFlagged(earlier) from None
