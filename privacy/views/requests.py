from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from privacy import selectors, services
from privacy.decorators import sensitive_view
from privacy.forms import ErasureConfirmForm
from privacy.models import PrivacyRequest
from privacy.typing import Customer, PortalRequest, signed_in


def _own_request(user: Customer, pk: int) -> PrivacyRequest:
    # Looked up through the signed-in customer: anyone else's ID is a 404.
    return get_object_or_404(PrivacyRequest.objects.select_related("archive"), pk=pk, user=user)


@require_GET
@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    requests = selectors.customer_requests(user=signed_in(request))
    return render(request, "privacy/request_list.html", {"requests": requests})


@require_http_methods(["GET", "POST"])
@sensitive_view
def export_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            export = services.export_request_create(user=signed_in(request))
        except services.RequestRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("export_new")
        messages.success(request, _("We are building your archive. We will e-mail you when it is ready."))
        return redirect("privacy_request_detail", export.pk)
    return render(
        request, "privacy/export_new.html", {"next_possible_at": selectors.next_export_possible_at(signed_in(request))}
    )


@require_http_methods(["GET", "POST"])
@sensitive_view
def erasure_new(request: HttpRequest) -> HttpResponse:
    form = ErasureConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure = services.erasure_request_create(user=signed_in(request))
        except services.RequestRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("erasure_new")
        messages.success(request, _("We received your request to erase your data. You can cancel it until it starts."))
        return redirect("privacy_request_detail", erasure.pk)
    return render(
        request,
        "privacy/erasure_new.html",
        {
            "form": form,
            "plan": selectors.erasure_preview(user=signed_in(request)),
            "grace_days": settings.PORTAL_ERASURE_GRACE_DAYS,
            "is_staff": signed_in(request).is_staff,
        },
    )


@require_POST
@login_required
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    privacy_request = _own_request(signed_in(request), pk)
    try:
        services.request_cancel(request=privacy_request, user=signed_in(request))
    except services.IllegalTransition:
        messages.error(request, _("This request has already started (or ended) and can no longer be cancelled."))
    else:
        messages.success(request, _("Cancelled. Nothing of your data was erased."))
    return redirect("privacy_request_detail", pk)


@require_GET
@login_required
@never_cache
def request_detail(request: PortalRequest, pk: int) -> HttpResponse:
    privacy_request = _own_request(signed_in(request), pk)
    template = "privacy/_request_progress.html" if request.htmx else "privacy/request_detail.html"
    return render(request, template, {"privacy_request": privacy_request})


@require_GET
@sensitive_view  # handing the data out needs the same recent proof as asking for it
def export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    privacy_request = _own_request(signed_in(request), pk)
    archive = getattr(privacy_request, "archive", None)
    if privacy_request.kind != PrivacyRequest.Kind.EXPORT or archive is None:
        raise Http404("No archive to download")
    if archive.deleted_at or archive.expires_at <= timezone.now():
        return render(request, "privacy/export_expired.html", {"privacy_request": privacy_request}, status=410)
    services.export_download_record(request=privacy_request, user=signed_in(request))
    stamp = archive.created_at.strftime("%Y-%m-%d")
    response = FileResponse(
        storages["exports"].open(archive.storage_name, "rb"),
        as_attachment=True,
        filename=f"my-data-{stamp}.zip",  # made here, never from user input
        content_type="application/zip",
    )
    return response
