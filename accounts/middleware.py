"""Staff add a second factor only with more than their password (accounts.selectors.staff_may_enrol_mfa)."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from accounts.models import User
from accounts.selectors import staff_may_enrol_mfa

# allauth's pages that add an authenticator, whichever kind.
ENROLMENT_URL_NAMES = {"mfa_activate_totp", "mfa_add_webauthn", "mfa_generate_recovery_codes"}


class StaffMFAEnrolmentMiddleware:
    """One gate in front of every page that adds a second factor, so none is forgotten.

    Otherwise anyone with a staff member's password could enrol their own
    authenticator and then pass the admin's two-factor check with it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and user.is_staff
            and _url_name(request) in ENROLMENT_URL_NAMES
            and not staff_may_enrol_mfa(request=request, user=user)
        ):
            messages.warning(
                request,
                "Staff set up a second factor with an invitation link from a privacy officer, "
                "or after confirming the factor they already have.",
            )
            return redirect("staff_mfa_needed")
        return self.get_response(request)


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None
