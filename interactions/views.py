from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from interactions import selectors
from privacy.forms import HumanReviewForm
from privacy.typing import signed_in


@require_GET
@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    page = selectors.decisions_page(customer=signed_in(request), page_number=request.GET.get("page"))
    return render(request, "interactions/decision_list.html", {"page": page})


@require_GET
@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_of(customer=signed_in(request), pk=pk)
    return render(
        request,
        "interactions/decision_detail.html",
        {
            "decision": decision,
            "review_form": HumanReviewForm(statement_required=False),
            "review_days": settings.PORTAL_HUMAN_REVIEW_DAYS,
        },
    )
