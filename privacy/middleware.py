"""Global Privacy Control: honour a signed-in browser's Sec-GPC signal."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from privacy.services import gpc_honour
from privacy.typing import signed_in

SESSION_KEY = "privacy.gpc_honoured"


class GlobalPrivacyControlMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            request.headers.get("Sec-GPC", "").strip() == "1"
            and request.user.is_authenticated
            and not request.session.get(SESSION_KEY)
        ):
            # Once per session: the service itself keeps later explicit
            # opt-ins, so re-applying in a new session changes nothing else.
            gpc_honour(user=signed_in(request))
            request.session[SESSION_KEY] = True
        return self.get_response(request)
