"""Response headers the whole portal sends, set in one place."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from accounts.models import User
from privacy.languages import customer_language

Handler = Callable[[HttpRequest], HttpResponseBase]


class PermissionsPolicyMiddleware:
    """Deny every browser feature the portal does not use (PORTAL_PERMISSIONS_POLICY), on every response.

    First in the chain, so static files served by WhiteNoise carry it too.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.PORTAL_PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class NoStoreWhenSignedInMiddleware:
    """Nothing shown to a signed-in person, or to an API client, is kept by a browser or a proxy.

    Every such page holds personal data (or, like the authenticator set-up,
    a secret), and a shared computer's back button or disk cache must not
    give it to the next person. Static files never reach this middleware.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # Asked before the view runs too: DRF replaces request.user with the
        # API's own idea of the caller, and a sign-in or sign-out changes it.
        signed_in_before = _signed_in(request)
        response = self.get_response(request)
        if signed_in_before or _signed_in(request) or "Authorization" in request.headers:
            # no-store and private, with the no-cache/max-age=0 older caches need.
            add_never_cache_headers(response)
        return response


class CustomerLanguageMiddleware(LocaleMiddleware):
    """Speak the signed-in customer's preferred language; to anyone else, the browser's.

    Django's LocaleMiddleware chooses from the language cookie (the switcher
    sets it) and Accept-Language, and on the way out sends Content-Language and
    Vary: Accept-Language. Without i18n_patterns no URL gets a language prefix.
    It has to run after AuthenticationMiddleware to know who is signed in: the
    profile's choice then wins over the browser and over a cookie left by an
    earlier visitor on the same computer, from the very next response on.
    """

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            response = super().__call__(request)
        finally:
            # Back to the default once the response is made: the next request
            # on this thread chooses again, and nothing that runs on it between
            # requests (or a test after this one) speaks this customer's language.
            translation.deactivate()
        assert isinstance(response, HttpResponseBase)  # the portal's stack is synchronous
        return response

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated:
            translation.activate(customer_language(user))
            request.LANGUAGE_CODE = translation.get_language()


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
