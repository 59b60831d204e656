from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django import forms
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import User
from privacy.services import outbound_email_queue


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth ships no type hints: its adapter is Any
    def save_user(self, request: HttpRequest, user: User, form: forms.Form, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "").strip()
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
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        user_id: int | None = getattr(context.get("user"), "pk", None) or None
        if user_id is None:
            # Codes and security notices come without a user: link the row to
            # the address's owner, so erasing them erases it too.
            owner = EmailAddress.objects.filter(email__iexact=email).values_list("user_id", flat=True).first()
            user_id = owner
        outbound_email_queue(message=message, template=template_prefix, user_id=user_id)
