import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm
from accounts.selectors import account_security_overview
from accounts.services import user_update_profile
from privacy.decorators import sensitive_view


def home(request):
    return render(request, "accounts/home.html")


@login_required
def dashboard(request):
    overview = account_security_overview(user=request.user)
    return render(request, "accounts/dashboard.html", {"security": overview})


@login_required
def profile(request):
    return render(request, "accounts/profile.html")


@require_http_methods(["GET", "POST"])
@sensitive_view
def profile_edit(request):
    # A copy: an invalid form must not leave bad values on request.user.
    form = ProfileForm(request.POST or None, instance=copy.copy(request.user))
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=request.user, **{name: form.cleaned_data[name] for name in form.changed_data})
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "accounts/profile_edit.html", {"form": form})
