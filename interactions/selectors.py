from uuid import UUID

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.shortcuts import get_object_or_404

from accounts.models import User
from interactions.models import AIDecision
from privacy.selectors import human_reviews_of_rows
from privacy.typing import Customer

DECISIONS_PER_PAGE = 25


def customer_by_reference(*, email: str | None = None, public_id: UUID | str | None = None) -> User | None:
    """The active customer with this e-mail address or public ID, or None."""
    customers = get_user_model().objects.filter(is_active=True)
    if email:
        return customers.filter(email__iexact=email.strip()).first()
    if public_id is None:
        return None  # neither reference given
    return customers.filter(public_id=public_id).first()


def decisions_page(*, customer: Customer, page_number: int | str | None) -> Page[AIDecision]:
    """One page of the customer's decisions, newest first, each with its newest review (3 queries)."""
    decisions = (
        AIDecision.objects.filter(customer=customer.pk).select_related("ai_system").order_by("-decided_at", "-pk")
    )
    page = Paginator(decisions, DECISIONS_PER_PAGE).get_page(page_number)
    reviews = human_reviews_of_rows(user=customer, model=AIDecision, object_ids=[d.pk for d in page.object_list])
    for decision in page.object_list:
        decision.review = reviews.get(decision.pk)
    return page


def decision_of(*, customer: Customer, pk: int) -> AIDecision:
    """One of the customer's own decisions; anyone else's is a 404."""
    decision = get_object_or_404(AIDecision.objects.select_related("ai_system", "purpose"), pk=pk, customer=customer.pk)
    decision.review = human_reviews_of_rows(user=customer, model=AIDecision, object_ids=[pk]).get(pk)
    return decision
