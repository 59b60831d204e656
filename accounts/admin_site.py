"""The staff admin: signed in through allauth, and only with MFA enabled."""

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import redirect


def staff_mfa_satisfied(user) -> bool:
    return not settings.PORTAL_STAFF_REQUIRE_MFA or is_mfa_enabled(user)


class PortalAdminSite(admin.AdminSite):
    site_header = "Privacy portal — staff"
    site_title = "Privacy portal staff"
    index_title = "Compliance desk"

    def has_permission(self, request):
        return super().has_permission(request) and staff_mfa_satisfied(request.user)

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not staff_mfa_satisfied(user):
            messages.warning(
                request, "Staff need two-factor authentication to open the admin. Set up an authenticator app first."
            )
            return redirect("mfa_activate_totp")
        # allauth's sign-in page (with its MFA stage and rate limits) replaces
        # Django's own admin login form.
        return secure_admin_login(super().login)(request, extra_context)
