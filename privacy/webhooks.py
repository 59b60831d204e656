"""Signing and sending webhook deliveries (HTTP, no third-party client).

Each delivery carries `X-Portal-Signature: t=<unix time>,v1=<hex>`, where the
hex is HMAC-SHA256 over "<t>.<raw body>" with the endpoint's secret, so a
receiver can check both who sent it and that it is fresh.
"""

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

TIMEOUT_SECONDS = 10


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, tolerance_seconds: int = 300) -> bool:
    """What a receiver does (and what the tests do)."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), parts.get("v1", ""))


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to an internal address (and turns POST into GET):
    # a 3xx is an answer of its own, and not a success.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxy from the environment, no redirects.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


class ForbiddenAddress(ValueError):
    """The URL points at a loopback, private, link-local or otherwise internal address."""


def check_endpoint_url(url: str) -> None:
    """The rules every webhook URL follows, wherever it is entered (ForbiddenAddress says which failed)."""
    if settings.PRODUCTION and not url.startswith("https://"):
        raise ForbiddenAddress("webhooks carry customers' choices: use an https:// address")
    check_destination(url, allow_private=settings.PORTAL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES)


def check_destination(url: str, *, allow_private: bool) -> None:
    """Refuse URLs that would make the portal call its own network (SSRF)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ForbiddenAddress("only http(s) URLs with a host")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise ForbiddenAddress("the host name does not resolve") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise ForbiddenAddress("the host resolves to an internal address")


def send(
    *, url: str, secret: str, event: str, delivery_id: int, payload: dict[str, Any], allow_private: bool = False
) -> SendResult:
    body = json.dumps({"event": event, "delivery_id": delivery_id, "data": payload}, separators=(",", ":")).encode()
    # check_destination (below) allows http(s) only: no file: or custom schemes reach the opener.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "privacy-portal-webhooks/1",
            "X-Portal-Event": event,
            "X-Portal-Delivery": str(delivery_id),
            "X-Portal-Signature": signature_header(secret, body),
        },
    )
    started = time.monotonic()
    try:
        check_destination(url, allow_private=allow_private)
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            status, error = response.status, ""
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except ForbiddenAddress as exc:
        status, error = None, f"refused: {exc}"
    except Exception as exc:  # any other failure is this attempt's failure, to be retried
        status, error = None, type(getattr(exc, "reason", exc)).__name__
    return SendResult(status, error[:200], int((time.monotonic() - started) * 1000))
