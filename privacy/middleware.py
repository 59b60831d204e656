"""Global Privacy Control: honour a signed-in browser's Sec-GPC signal."""

from privacy.services import gpc_honour

SESSION_KEY = "privacy.gpc_honoured"


class GlobalPrivacyControlMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.headers.get("Sec-GPC", "").strip() == "1"
            and request.user.is_authenticated
            and not request.session.get(SESSION_KEY)
        ):
            # Once per session: the service itself keeps later explicit
            # opt-ins, so re-applying in a new session changes nothing else.
            gpc_honour(user=request.user)
            request.session[SESSION_KEY] = True
        return self.get_response(request)
