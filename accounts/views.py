import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import ProfileForm
from accounts.models import User
from accounts.selectors import account_security_overview
from accounts.services import user_update_profile
from privacy.decorators import sensitive_view
from privacy.selectors.requests import requests_needing_attention


def _signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind login_required (which guarantees one)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("this view needs a signed-in user")
    return user


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
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
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
