import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import LanguageForm, ProfileForm
from accounts.models import User
from accounts.selectors import account_security_overview
from accounts.services import user_update_profile
from privacy.decorators import sensitive_view
from privacy.languages import customer_language
from privacy.selectors.requests import requests_needing_attention


def _signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind login_required (which guarantees one)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("this view needs a signed-in user")
    return user


def _remember_language(response: HttpResponseBase, language: str) -> None:
    """The language cookie, as Django's own set_language view sets it: read by LocaleMiddleware."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # a str in the stubs, "Lax" in settings
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The switcher at the foot of every page: a plain form, so it works without JavaScript.

    Back to the page it was on (the same URL: no language prefix), never to
    another site. A signed-in customer's choice is their preferred language,
    so their e-mails and archives follow it too; the cookie keeps it for
    whoever is not signed in on this browser.
    """
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if isinstance(request.user, User) and request.user.is_authenticated:
            services.user_set_preferred_language(user=request.user, language=language)
        _remember_language(response, language)
    return response


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    context = {"security": account_security_overview(user=user), **requests_needing_attention(user=user)}
    return render(request, "accounts/dashboard.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html")


@require_http_methods(["GET", "POST"])
@sensitive_view
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    # A copy: an invalid form must not leave bad values on request.user.
    form = ProfileForm(request.POST or None, instance=copy.copy(user))
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=user, **{name: form.cleaned_data[name] for name in form.changed_data})
        # A new language applies at once: to the message below and, through
        # the middleware, to the next page (the cookie for after signing out).
        language = customer_language(user)
        translation.activate(language)
        messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        if "preferred_language" in form.changed_data:
            _remember_language(response, language)
        return response
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
def staff_mfa_needed(request: HttpRequest) -> HttpResponse:
    """Where staff without a second factor learn how to get one (an officer's invitation)."""
    return render(request, "accounts/staff_mfa_needed.html")


@login_required
@require_http_methods(["GET", "POST"])
def staff_mfa_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation e-mail. Opening it (signed in as its staff member) allows enrolment.

    A GET only shows a button: mail scanners that follow links must not use the invitation up.
    """
    user = _signed_in_user(request)
    if request.method == "POST":
        try:
            services.staff_mfa_invitation_accept(request=request, user=user, token=token)
        except services.InvitationInvalid as refusal:
            messages.error(request, str(refusal))
            return redirect("staff_mfa_needed")
        messages.success(request, _("Thank you. Now set up your authenticator app."))
        return redirect("mfa_activate_totp")
    return render(request, "accounts/staff_mfa_invitation.html")
