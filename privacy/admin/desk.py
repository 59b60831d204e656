"""The desk's own pages beside the request queue: the compliance dashboard and the guidelines to acknowledge."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from privacy import selectors, services
from privacy.admin.audited import audited
from privacy.models import PrivacyRequest
from privacy.typing import signed_in


class DeskAdmin(admin.ModelAdmin[PrivacyRequest]):
    """The dashboard and guidelines pages, and the guard every staff decision passes."""

    def desk_urls(self) -> list[URLPattern]:
        return [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="privacy_compliance_dashboard"),
            path(
                "guidelines/acknowledge/",
                self.admin_site.admin_view(self.acknowledge_view),
                name="privacy_guidelines_acknowledge",
            ),
        ]

    @audited  # it only reads
    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("privacy.view_compliance_dashboard"):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "privacy/admin/dashboard.html",
            {
                **self.admin_site.each_context(request),
                "title": "Compliance dashboard",
                "figures": selectors.compliance_dashboard(),
            },
        )

    @audited  # services.guidelines_acknowledge records the acknowledgement
    def acknowledge_view(self, request: HttpRequest) -> HttpResponseBase:
        guidelines = selectors.current_guidelines()
        if request.method == "POST" and guidelines:
            services.guidelines_acknowledge(guidelines=guidelines, staff_user=signed_in(request))
            messages.success(request, f"Thank you: version {guidelines.version} acknowledged.")
            next_url = request.GET.get("next", "")
            # A path of ours only: redirect() would read anything else as a URL name (or fail on it).
            if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                # Support agents may not see the request queue: they go back to the desk.
                queue = self.has_view_permission(request)
                next_url = "admin:privacy_privacyrequest_changelist" if queue else "admin:index"
            return redirect(next_url)
        return TemplateResponse(
            request,
            "privacy/admin/acknowledge.html",
            {
                **self.admin_site.each_context(request),
                "title": "AI ethics and privacy guidelines",
                "guidelines": guidelines,
                "acknowledged": selectors.staff_acknowledged_current_guidelines(signed_in(request)),
            },
        )

    def guidelines_acknowledged(self, request: HttpRequest, *, back: str = "") -> bool:
        """Deciding needs the current guidelines acknowledged; say so (with the way there) instead of acting."""
        try:
            services.require_acknowledged_guidelines(signed_in(request))
        except services.GuidelinesNotAcknowledged as refusal:
            url = f"{reverse('admin:privacy_guidelines_acknowledge')}?{urlencode({'next': back or request.get_full_path()})}"
            messages.error(request, format_html('{} <a href="{}">Read them now</a>.', str(refusal), url))
            return False
        return True
