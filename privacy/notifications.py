"""Every e-mail to a customer goes through here.

Rendered from `privacy/email/<name>_subject.txt`, `_message.txt` and
`_message.html`, in the customer's preferred language, then queued in the
outbox. Links point at portal pages, never carry a token, and the texts hold
no more personal data than the customer's own name.
"""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from privacy.languages import customer_language
from privacy.models import OutboundEmail, PrivacyRequest
from privacy.services.mail import outbound_email_queue
from privacy.typing import Customer


def portal_url(path: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + path


def request_email_context(request: PrivacyRequest) -> dict[str, Any]:
    """What every e-mail about a privacy request shows: the request, and the link to its page."""
    return {"request": request, "request_url": portal_url(reverse("privacy_request_detail", args=[request.pk]))}


def render_customer_email(
    *, user: Customer, name: str, context: dict[str, Any], to: str | None = None
) -> EmailMultiAlternatives:
    context = {"user": user, "portal_name": settings.PORTAL_NAME, "portal_url": portal_url("/"), **context}
    with translation.override(customer_language(user)):
        subject: str = render_to_string(f"privacy/email/{name}_subject.txt", context)
        text = render_to_string(f"privacy/email/{name}_message.txt", context)
        html = render_to_string(f"privacy/email/{name}_message.html", context)
    message = EmailMultiAlternatives(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        text,
        settings.DEFAULT_FROM_EMAIL,
        [to or user.email],
    )
    message.attach_alternative(html, "text/html")
    return message


def send_customer_email(*, user: Customer, name: str, context: dict[str, Any] | None = None) -> OutboundEmail:
    message = render_customer_email(user=user, name=name, context=context or {})
    return outbound_email_queue(message=message, template=f"privacy/email/{name}", user_id=user.pk)
