"""allauth's record of each signed-in session (address, browser, last seen), written when it changes.

allauth's own middleware rewrites the session's row on every signed-in
request: a transaction, two reads and an update, on the portal's every page.
Here the row is written at once when the session's address or browser
changes — so the customer's sessions page, and allauth's
`session_client_changed` signal, see a new client on its first request — and
otherwise at most every TRACK_EVERY_SECONDS, so "last seen" is exact to that.
"""

import hashlib
import time
from collections.abc import Callable

from allauth.account.adapter import get_adapter
from allauth.usersessions.internal import usersessionkit
from django.http import HttpRequest, HttpResponseBase

TRACK_EVERY_SECONDS = 300
# In the session: [when it was last tracked (Unix seconds), a digest of its client then].
TRACKED_KEY = "_portal_usersession_tracked"


def _now() -> int:
    return int(time.time())


def _client_digest(request: HttpRequest) -> str:
    # A digest, so the session's data holds no second copy of the address and browser.
    client = f"{get_adapter().get_client_ip(request)}\0{request.headers.get('user-agent', '')}"
    return hashlib.blake2b(client.encode(), digest_size=8).hexdigest()


class UserSessionActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and session.session_key and user is not None and user.is_authenticated:
            client, now = _client_digest(request), _now()
            tracked = session.get(TRACKED_KEY)
            fresh = (
                isinstance(tracked, list)
                and len(tracked) == 2
                and tracked[1] == client
                and 0 <= now - tracked[0] < TRACK_EVERY_SECONDS
            )
            if not fresh:
                usersessionkit.track_activity(request, user=user, session=session)
                session[TRACKED_KEY] = [now, client]
        return self.get_response(request)
