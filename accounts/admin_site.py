"""The staff admin: signed in through allauth, and only with MFA in this session."""

from typing import Any
from urllib.parse import urlencode

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from django.views.generic import RedirectView

from accounts.selectors import staff_may_enrol_mfa, staff_session_passed_mfa


class PortalAdminSite(admin.AdminSite):
    site_header = "Privacy portal — staff"
    site_title = "Privacy portal staff"
    index_title = "Compliance desk"
    # The queue's deadlines and the audit list need the width at laptop size;
    # the desk (index) and the breadcrumbs lead everywhere the sidebar did.
    enable_nav_sidebar = False
    index_template = "admin/desk_index.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and staff_session_passed_mfa(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not staff_session_passed_mfa(request):
            next_url = request.GET.get("next") or reverse("admin:index")
            if not is_mfa_enabled(user):
                if not staff_may_enrol_mfa(request=request, user=user):
                    # A password alone never enrols the factor that opens the admin.
                    return redirect("staff_mfa_needed")
                messages.warning(
                    request,
                    "Staff need two-factor authentication to open the admin. Set up an authenticator app first.",
                )
                return redirect("mfa_activate_totp")
            messages.info(request, _("Confirm it's you with your second factor to open the admin."))
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}")
        # allauth's sign-in page (with its MFA stage and rate limits) replaces
        # Django's own admin login form.
        response: HttpResponse = secure_admin_login(super().login)(request, extra_context)
        return response

    def get_urls(self) -> list[URLResolver | URLPattern]:
        # Django's own password form would change the password with none of
        # what the portal's page does around it: re-authentication first, the
        # security e-mail, signing the other sessions out. Its addresses (the
        # admin header's "Change password" link) lead to the portal's page.
        to_portal = self.admin_view(RedirectView.as_view(pattern_name="account_change_password"))
        return [
            path("password_change/", to_portal, name="password_change"),
            path("password_change/done/", to_portal, name="password_change_done"),
            *super().get_urls(),
        ]
