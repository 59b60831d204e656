from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.shortcuts import get_object_or_404

from interactions.models import AIDecision
from privacy.selectors import human_reviews_of_rows

DECISIONS_PER_PAGE = 25


def customer_by_reference(*, email: str | None = None, public_id=None):
    """The active customer with this e-mail address or public ID, or None."""
    customers = get_user_model().objects.filter(is_active=True)
    if email:
        return customers.filter(email__iexact=email.strip()).first()
    return customers.filter(public_id=public_id).first()


def decisions_page(*, customer, page_number) -> Page:
    """One page of the customer's decisions, newest first, each with its newest review (3 queries)."""
    decisions = AIDecision.objects.filter(customer=customer).select_related("ai_system").order_by("-decided_at", "-pk")
    page = Paginator(decisions, DECISIONS_PER_PAGE).get_page(page_number)
    reviews = human_reviews_of_rows(user=customer, model=AIDecision, object_ids=[d.pk for d in page.object_list])
    for decision in page.object_list:
        decision.review = reviews.get(decision.pk)
    return page


def decision_of(*, customer, pk: int) -> AIDecision:
    """One of the customer's own decisions; anyone else's is a 404."""
    decision = get_object_or_404(AIDecision.objects.select_related("ai_system", "purpose"), pk=pk, customer=customer)
    decision.review = human_reviews_of_rows(user=customer, model=AIDecision, object_ids=[pk]).get(pk)
    return decision
