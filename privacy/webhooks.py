"""Signing and sending webhook deliveries (HTTP, no third-party client).

Each delivery carries `X-Portal-Signature: t=<unix time>,v1=<hex>`, where the
hex is HMAC-SHA256 over "<t>.<raw body>" with the endpoint's secret, so a
receiver can check both who sent it and that it is fresh.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

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


def send(*, url: str, secret: str, event: str, delivery_id: int, payload: dict) -> SendResult:
    body = json.dumps({"event": event, "delivery_id": delivery_id, "data": payload}, separators=(",", ":")).encode()
    request = urllib.request.Request(
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
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - staff-set URL
            status, error = response.status, ""
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        status, error = None, type(getattr(exc, "reason", exc)).__name__
    return SendResult(status, error[:200], int((time.monotonic() - started) * 1000))
