"""A completed sign-in counts as recent authentication.

allauth only lets a sensitive action through when the session holds a record
marked ``reauthenticated`` younger than ACCOUNT_REAUTHENTICATION_TIMEOUT, and
its sign-in records carry no such mark: a customer who had just typed their
password (and code) was asked for the password again before asking for an
export. The proof given at sign-in is as fresh as a re-authentication, so the
last step of the sign-in is marked; its own time still bounds how long it counts.
"""

from typing import Any

from allauth.account import app_settings
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY, get_authentication_records
from django.http import HttpRequest

from privacy.typing import Customer


def count_sign_in_as_recent_authentication(sender: object, request: HttpRequest, user: Customer, **kwargs: Any) -> None:
    records = [dict(record) for record in get_authentication_records(request, user)]
    if not records or records[-1].get("method") not in app_settings.REAUTHENTICATION_METHODS:
        return
    records[-1]["reauthenticated"] = True
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records
