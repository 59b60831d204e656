"""Signing and sending webhook deliveries (HTTP, no third-party client).

Each delivery carries `X-Portal-Signature: t=<unix time>,v1=<hex>`, where the
hex is HMAC-SHA256 over "<t>.<raw body>" with the endpoint's secret, so a
receiver can check both who sent it and that it is fresh.

The receiver's name is looked up once per attempt; every address it gives
is judged, and the connection goes to those addresses only (DNS rebinding: a
second lookup could answer an internal address the check never saw).
"""

import functools
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
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


class ForbiddenAddress(ValueError):
    """The URL points at a loopback, private, link-local or otherwise internal address."""


# One address of a name, as socket.getaddrinfo gives it: (family, type, proto, canonname, sockaddr).
AddressInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[Any, ...]]

# IPv6 forms that carry an IPv4 address. Two are judged by the IPv4 address
# inside: IPv4-mapped addresses, and the well-known NAT64 prefix, which an
# IPv6-only network's DNS64 answers for every IPv4-only host (refusing it
# would refuse every such receiver there).
_IPV4_INSIDE = (ipaddress.IPv6Network("::ffff:0:0/96"), ipaddress.IPv6Network("64:ff9b::/96"))
# The others are refused outright: no receiver needs them, and they reach IPv4
# hosts through relays or translators whose target the portal cannot judge.
_IPV4_TUNNELS = (
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated, RFC 4291): ::127.0.0.1
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215): each network places the IPv4 itself
    ipaddress.IPv6Network("2002::/16"),  # 6to4 (deprecated, RFC 7526)
    ipaddress.IPv6Network("2001::/32"),  # Teredo
)


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether the portal may call this address: a global unicast one, also inside IPv6."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in network for network in _IPV4_INSIDE):
            return is_public_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(address in network for network in _IPV4_TUNNELS):
            return False
    return address.is_global and not address.is_multicast


def check_endpoint_url(url: str) -> None:
    """The rules every webhook URL follows, wherever it is entered (ForbiddenAddress says which failed)."""
    if settings.PRODUCTION and not url.startswith("https://"):
        raise ForbiddenAddress("webhooks carry customers' choices: use an https:// address")
    check_destination(url, allow_private=settings.PORTAL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES)


def check_destination(url: str, *, allow_private: bool) -> None:
    """Refuse URLs that would make the portal call its own network (SSRF)."""
    if allow_private:
        _host_and_port(url)
        return
    try:
        resolve_destination(url, allow_private=False)
    except socket.gaierror as exc:
        raise ForbiddenAddress("the host name does not resolve") from exc


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ForbiddenAddress("only http(s) URLs with a host")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def resolve_destination(url: str, *, allow_private: bool) -> Sequence[AddressInfo]:
    """Look the URL's host up once and judge every address it has (unless
    private ones are allowed): the only addresses a delivery may connect to.

    ForbiddenAddress when one is internal; socket.gaierror when the name does
    not resolve (a failed attempt, tried again later).
    """
    host, port = _host_and_port(url)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not allow_private:
        for info in infos:
            if not is_public_address(ipaddress.ip_address(info[4][0])):
                raise ForbiddenAddress("the host resolves to an internal address")
    return infos


def _connect(addresses: Sequence[AddressInfo], timeout: object) -> socket.socket:
    """socket.create_connection to addresses looked up already: the first that answers."""
    error: OSError = OSError("the host has no address")
    for family, kind, proto, _canonname, sockaddr in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            if isinstance(timeout, int | float):  # else http.client's "no timeout given"
                sock.settimeout(timeout)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
        else:
            return sock
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked addresses and looks nothing up; the Host header still names the host."""

    def __init__(self, host: str, *, addresses: Sequence[AddressInfo], **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        # http.client's one seam for making the socket (connect() keeps the rest).
        self._create_connection = lambda address, timeout=None, source_address=None: _connect(addresses, timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above; TLS still sends the host's name (SNI) and checks its certificate against it."""

    def __init__(self, host: str, *, addresses: Sequence[AddressInfo], **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._create_connection = lambda address, timeout=None, source_address=None: _connect(addresses, timeout)


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, addresses: Sequence[AddressInfo]) -> None:
        super().__init__()
        self.addresses = addresses

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_PinnedHTTPConnection, addresses=self.addresses), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, addresses: Sequence[AddressInfo]) -> None:
        # Verifies the certificate and that it names the host (made per attempt,
        # so the trusted CAs are read afresh).
        self.context = ssl.create_default_context()
        super().__init__(context=self.context)
        self.addresses = addresses

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(_PinnedHTTPSConnection, addresses=self.addresses)
        return self.do_open(connection, req, context=self.context)


def _opener(addresses: Sequence[AddressInfo]) -> urllib.request.OpenerDirector:
    # No proxy from the environment, no redirects, and only the checked addresses.
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _NoRedirects,
        _PinnedHTTPHandler(addresses),
        _PinnedHTTPSHandler(addresses),
    )


def send(
    *, url: str, secret: str, event: str, delivery_id: int, payload: dict[str, Any], allow_private: bool = False
) -> SendResult:
    body = json.dumps({"event": event, "delivery_id": delivery_id, "data": payload}, separators=(",", ":")).encode()
    # resolve_destination (below) allows http(s) only: no file: or custom schemes reach the opener.
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
        addresses = resolve_destination(url, allow_private=allow_private)
        with _opener(addresses).open(request, timeout=TIMEOUT_SECONDS) as response:
            status, error = response.status, ""
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except ForbiddenAddress as exc:
        status, error = None, f"refused: {exc}"
    except Exception as exc:  # any other failure is this attempt's failure, to be retried
        status, error = None, type(getattr(exc, "reason", exc)).__name__
    return SendResult(status, error[:200], int((time.monotonic() - started) * 1000))
