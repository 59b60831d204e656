from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from privacy import selectors, services
from privacy.forms import ChoiceForm, PurposeChoiceForm
from privacy.models import AIPurpose, ConsentMethod
from privacy.typing import Customer, PortalRequest, signed_in


def _page_context(user: Customer) -> dict[str, Any]:
    purposes = AIPurpose.objects.filter(is_active=True).prefetch_related("ai_systems")
    return {
        "permissions": selectors.ai_permissions(user=user, purposes=purposes),
        "settings": selectors.customer_ai_settings(user=user),
        "timeline": selectors.consent_timeline(user=user),
    }


@require_GET
@login_required
def ai_preferences(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/preferences.html", _page_context(signed_in(request)))


def _after_change(request: PortalRequest) -> HttpResponse:
    # htmx swaps the switches and the timeline in place, and the message into
    # the page's live region, where a screen reader announces it (and it is
    # used up, not shown again on the next page); without JavaScript the
    # browser simply reloads the page, which shows the message at its top.
    if request.htmx:
        return render(request, "privacy/_preferences_swap.html", _page_context(signed_in(request)))
    return redirect("ai_preferences")


@require_POST
@login_required
def ai_preference_set(request: PortalRequest, slug: str) -> HttpResponse:
    purpose = get_object_or_404(AIPurpose, slug=slug, is_active=True)
    form = PurposeChoiceForm(request.POST)
    if not form.is_valid():
        raise Http404("Unknown choice")
    allowed, seen_version = form.cleaned_data["allowed"], form.cleaned_data["notice_version"]
    if seen_version != purpose.notice_version:
        # The notice changed while the page was open: the customer must see
        # the words their choice will be recorded against.
        messages.warning(
            request,
            _("The notice for “%(name)s” has just changed. Please read it and choose again.") % {"name": purpose.name},
        )
        return _after_change(request)
    if services.preference_set(
        user=signed_in(request),
        purpose=purpose,
        allowed=allowed,
        method=ConsentMethod.PORTAL,
        notice_version=seen_version,
    ):
        done = _("“%(name)s” is now on.") if allowed else _("“%(name)s” is now off.")
        messages.success(request, done % {"name": purpose.name})
    return _after_change(request)


@require_POST
@login_required
def always_human_set(request: PortalRequest) -> HttpResponse:
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        raise Http404("Unknown choice")
    enabled = form.cleaned_data["allowed"]
    if services.always_human_set(user=signed_in(request), enabled=enabled, method=ConsentMethod.PORTAL):
        if enabled:
            messages.success(request, _("From now on, people serve you: every use of AI is off."))
        else:
            messages.success(request, _("Your choices for each use of AI apply again."))
    return _after_change(request)
