"""Types privacy uses for the people it serves, without naming the app that defines them.

The user model is `settings.AUTH_USER_MODEL`; privacy relies only on what is
below, so any user model with these attributes will do.
"""

from datetime import datetime
from typing import Any, Protocol, cast
from uuid import UUID

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

# A JSON object: what webhooks, audit details and the API carry.
JSONObject = dict[str, Any]


class Customer(Protocol):
    """A user of the portal, as privacy sees one: a customer, or a member of staff."""

    @property
    def pk(self) -> Any: ...
    @property
    def email(self) -> str: ...
    @property
    def public_id(self) -> UUID: ...
    @property
    def preferred_language(self) -> str: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_staff(self) -> bool: ...
    @property
    def date_joined(self) -> datetime: ...

    def get_short_name(self) -> str: ...

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


class PortalRequest(HttpRequest):
    """A request as the portal's middleware leaves it: django-htmx says whether htmx sent it."""

    htmx: HtmxDetails


def signed_in(request: HttpRequest) -> Customer:
    """The signed-in user of a view behind login_required (which guarantees one)."""
    if not request.user.is_authenticated:
        raise PermissionError("this view needs a signed-in user")
    return cast(Customer, request.user)
