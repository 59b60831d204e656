"""Error answers: the portal's own pages for people, the API's JSON under /api/."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

# Everything under it is the API, whose schema documents every error as {"detail": "..."}.
API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # An API URL that resolves to nothing (a malformed customer ID fails the uuid converter before any
    # view runs) answers like the API's own 404, not with the portal's HTML page.
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
