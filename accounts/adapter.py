from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.ratelimits import too_many_attempts
from privacy.languages import supported_language
from privacy.services import outbound_email_queue


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth ships no type hints: its adapter is Any
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # allauth says this, as a message, when a one-time code was mistyped
        # too often: the way on is a new code, not waiting. (Refusals by a
        # rate limit are worded by validation_error below.)
        "too_many_login_attempts": _("Too many wrong codes. Ask for a new code."),
    }

    def validation_error(self, code: str, *args: Any) -> forms.ValidationError:
        if code == "too_many_login_attempts":
            # A rate limit refused, and this caller did not say which key it
            # counted: name the longest time the sign-in limits can hold.
            # (Password sign-in, authenticator codes and code requests know
            # their key: see pre_authenticate and accounts.forms.)
            return too_many_attempts(allauth_context.request, action="login_failed")
        error: forms.ValidationError = super().validation_error(code, *args)
        return error

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError as refusal:
            if refusal.code != "too_many_login_attempts":
                raise
            key = self._get_login_attempts_cache_key(request, **credentials)
            raise too_many_attempts(request, action="login_failed", key=key) from None

    def get_login_stages(self) -> list[str]:
        # A sign-in code the customer asked for does not hold them on the code page (accounts.stages).
        stages: list[str] = super().get_login_stages()
        return [
            "accounts.stages.LoginByCodeStage" if stage == "allauth.account.stages.LoginByCodeStage" else stage
            for stage in stages
        ]

    def save_user(self, request: HttpRequest, user: User, form: forms.Form, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "").strip()
        # The language the sign-up page was read in (the browser's, or the
        # switcher's) becomes the customer's: pages after sign-in, e-mails
        # and archives carry on in it until they change it on their profile.
        user.preferred_language = supported_language(translation.get_language())
        if commit:
            user.save()
        return user

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        # The change signs every session out (ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE):
        # go to sign-in with the new password, then on to the dashboard.
        return reverse("account_login")

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Rendered now (the request is at hand), sent by a worker from the
        # outbox: a slow or failing mail server neither delays the page nor
        # loses the message.
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": portal_site(),
            "portal_url": settings.PORTAL_URL.rstrip("/") + "/",
        }
        ctx.update(_links_on_the_portal(context, request))
        message = self.render_mail(template_prefix, email, ctx)
        user_id: int | None = getattr(context.get("user"), "pk", None) or None
        if user_id is None:
            # Codes and security notices come without a user: link the row to
            # the address's owner, so erasing them erases it too. Only a
            # verified address has an owner: anyone can type any address
            # into their account without proving it is theirs.
            user_id = (
                EmailAddress.objects.filter(email__iexact=email, verified=True)
                .values_list("user_id", flat=True)
                .first()
            )
        outbound_email_queue(message=message, template=template_prefix, user_id=user_id)


@dataclass(frozen=True)
class PortalSite:
    """What allauth's templates call the current site, from PORTAL_NAME and PORTAL_URL (never the request)."""

    name: str
    domain: str


def portal_site() -> PortalSite:
    return PortalSite(name=settings.PORTAL_NAME, domain=urlsplit(settings.PORTAL_URL).netloc)


def _links_on_the_portal(context: dict[str, Any], request: HttpRequest | None) -> dict[str, Any]:
    """allauth builds its links (reset, verify, sign up) from the request's Host header.

    Every one of them is moved onto PORTAL_URL here, the one place each
    account e-mail passes through, so a forged Host can never put another
    address into a link a customer is asked to click.
    """
    if request is None:
        return context
    request_origin = request.build_absolute_uri("/")
    portal_origin = settings.PORTAL_URL.rstrip("/") + "/"
    return {
        key: portal_origin + value.removeprefix(request_origin)
        if isinstance(value, str) and value.startswith(request_origin)
        else value
        for key, value in context.items()
    }
