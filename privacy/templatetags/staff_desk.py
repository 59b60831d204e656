"""{% guidelines_reminder %}: on every admin page, tell staff upfront when the guidelines in force await them."""

from typing import Any

from django import template
from django.http import HttpRequest
from django.urls import reverse

from privacy import selectors
from privacy.typing import signed_in

register = template.Library()


@register.inclusion_tag("privacy/admin/_guidelines_reminder.html", takes_context=True)
def guidelines_reminder(context: template.Context) -> dict[str, Any]:
    request: HttpRequest | None = context.get("request")
    if request is None or not request.user.is_authenticated or not request.user.is_staff:
        return {}
    acknowledge_url = reverse("admin:privacy_guidelines_acknowledge")
    if request.path == acknowledge_url:
        return {}  # the page is the guidelines themselves
    guidelines = selectors.current_guidelines()
    if guidelines is None or selectors.staff_acknowledged_current_guidelines(signed_in(request)):
        return {}
    return {"guidelines": guidelines, "acknowledge_url": acknowledge_url, "next": request.get_full_path()}


@register.inclusion_tag("privacy/admin/_desk_waiting.html", takes_context=True)
def desk_waiting(context: template.Context) -> dict[str, Any]:
    """The desk's front page: what waits for this staff member, among what they may see."""
    request: HttpRequest = context["request"]
    may_see_requests = request.user.has_perm("privacy.view_privacyrequest")
    return {
        "lines": selectors.desk_waiting(
            may_see_requests=may_see_requests,
            may_see_reviews=request.user.has_perm("privacy.view_humanreviewrequest"),
        ),
        "may_see_requests": may_see_requests,
        "may_see_dashboard": request.user.has_perm("privacy.view_compliance_dashboard"),
        "may_see_audit": request.user.has_perm("privacy.view_auditevent"),
    }
