"""View decorators shared by every feature that touches a customer's data."""

from collections.abc import Callable

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBase
from django.views.decorators.cache import never_cache

View = Callable[..., HttpResponseBase]


def sensitive_view(view_func: View) -> View:
    """Signed in, and recently proved it (password, code or passkey again).

    Used for every page that changes personal data or hands it out: the
    customer must re-authenticate when their last proof is older than
    ACCOUNT_REAUTHENTICATION_TIMEOUT, so an unlocked laptop is not enough.
    """
    guarded: View = never_cache(login_required(reauthentication_required(view_func)))
    return guarded
