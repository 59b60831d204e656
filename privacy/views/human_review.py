from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from privacy import selectors, services
from privacy.forms import AIOutputFlagForm, HumanReviewForm
from privacy.models import HumanReviewRequest
from privacy.registry import Source, registry
from privacy.typing import Customer, signed_in

# A review's pages show a conversation's last few messages: enough to know
# which one it was, not a second copy of "My data".
SUBJECT_PART_ROWS_SHOWN = 5


def _own_row(user: Customer, source_key: str, object_id: int) -> tuple[Source, Model]:
    """The customer's own row of a registry source, or 404 (also for anyone else's)."""
    try:
        source = registry.source(source_key)
    except KeyError:
        raise Http404("No such kind of data") from None
    row = source.rows_for(user).filter(pk=object_id).first()
    if row is None:
        raise Http404("Not found")
    return source, row


def _subject_context(user: Customer, subject: selectors.SubjectView | None) -> dict[str, object]:
    """What a review is about, and its parts (a conversation's last messages), for its pages."""
    parts = (
        selectors.subject_parts(subject=subject, user=user, limit=SUBJECT_PART_ROWS_SHOWN, excerpt=True)
        if subject
        else []
    )
    return {"subject": subject, "subject_parts": [part for part in parts if part.rows]}


def _back_to_row(user: Customer, source: Source, row: Model) -> str:
    """The page of the source's list that holds the row, scrolled to it."""
    page = selectors.personal_data_page_of_row(user=user, source=source, row=row)
    url = reverse("my_data_source", args=[source.key])
    return f"{url}?page={page}#{selectors.row_anchor(source, row.pk)}"


def _within_daily_limit(request: HttpRequest) -> bool:
    """Count one more request for review against the customer's daily limit.

    Counted by allauth's rate limits (the cache, which its own sign-in
    limits use and a system check keeps real), under the portal's own action.
    """
    rate = f"{settings.PORTAL_HUMAN_REVIEWS_PER_DAY}/1d/user"
    usage = ratelimit.consume(
        request, app="privacy", action="human_review", config={"human_review": rate}, user=signed_in(request)
    )
    return usage is not None


@require_http_methods(["GET", "POST"])
@login_required
def human_review_new(request: HttpRequest, source_key: str, object_id: int) -> HttpResponse:
    source, row = _own_row(signed_in(request), source_key, object_id)
    if not source.human_review or not (source.row_ai_system_field and getattr(row, source.row_ai_system_field)):
        raise Http404("A person can review only what an AI handled")
    form = HumanReviewForm(request.POST or None, statement_required=source.review_outcomes is None)
    subject = selectors.subject_of_row(source=source, row=row)
    back = subject.row.detail_url or _back_to_row(signed_in(request), source, row)
    context = {
        "form": form,
        "source": source,
        "row": row,
        "back": back,
        **_subject_context(signed_in(request), subject),
    }
    if request.method == "POST" and form.is_valid():
        if not _within_daily_limit(request):
            messages.error(
                request,
                _(
                    "You have sent us as many requests for review as we take from one person in a day. "
                    "Nothing you wrote is lost: it is still below, to send again tomorrow."
                ),
            )
            return render(request, "privacy/human_review_new.html", context, status=429)
        try:
            review = services.human_review_request(user=signed_in(request), source=source, row=row, **form.cleaned_data)
        except services.NotAllowed:
            raise Http404("A person can review only what an AI handled") from None
        messages.success(request, _("Your request is with our team. We will answer by e-mail and on this page."))
        if source.detail_url_name:
            # Back to what was contested, where the review's progress now shows.
            return redirect(source.detail_url_name, row.pk)
        return redirect("human_review_detail", review.pk)
    return render(request, "privacy/human_review_new.html", context)


@require_GET
@login_required
def human_review_list(request: HttpRequest) -> HttpResponse:
    # Each review's subject (a decision, a conversation, ...) in one query per kind.
    reviews = selectors.human_reviews_of(user=signed_in(request))
    return render(request, "privacy/human_review_list.html", {"reviews": reviews})


@require_GET
@login_required
def human_review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(HumanReviewRequest.objects.select_related("ai_system"), pk=pk, user=signed_in(request))
    subject = selectors.human_review_subject(review=review)
    context = {"review": review, **_subject_context(signed_in(request), subject)}
    return render(request, "privacy/human_review_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def ai_flag_new(request: HttpRequest, source_key: str, object_id: int) -> HttpResponse:
    source, row = _own_row(signed_in(request), source_key, object_id)
    if not source.flaggable or not (source.row_ai_system_field and getattr(row, source.row_ai_system_field)):
        raise Http404("Only something an AI wrote can be flagged")
    back = _back_to_row(signed_in(request), source, row)
    earlier = selectors.ai_output_flag_of_row(user=signed_in(request), source=source, row=row)
    form = AIOutputFlagForm(request.POST or None)
    if request.method == "POST" and earlier is None and form.is_valid():
        try:
            services.ai_output_flag(user=signed_in(request), source=source, row=row, **form.cleaned_data)
        except services.AlreadyFlagged as already:
            # Flagged in another tab a moment ago: that flag stands.
            earlier = already.flag
        else:
            messages.success(request, _("Thank you — our AI governance team reviews every flag."))
            return redirect(back)
    if request.method == "POST" and earlier is not None:
        when = formats.date_format(timezone.localtime(earlier.created_at), "DATE_FORMAT")
        messages.info(
            request,
            _("You flagged this on %(date)s already. One flag is enough: our team reviews it.") % {"date": when},
        )
        return redirect(back)
    return render(
        request, "privacy/ai_flag_new.html", {"form": form, "source": source, "row": row, "flag": earlier, "back": back}
    )
