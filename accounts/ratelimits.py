"""When allauth's rate limits (ACCOUNT_RATE_LIMITS) let a refused customer try again.

allauth refuses with "Try again later"; a person wants to know how much later.
The answer is read from the limits themselves: each limit keeps the times of
recent attempts in the cache, and a full one admits again once its oldest
counted attempt is older than the limit's period.
"""

import math
import time

from allauth.core.internal import ratelimit  # allauth's limiter: how it parses the rates and keys the cache
from django.core.cache import cache
from django.forms import ValidationError
from django.http import HttpRequest
from django.utils.translation import ngettext

ALLAUTH_ACCOUNT = "allauth.account"


def seconds_until_allowed(request: HttpRequest, *, action: str, key: str | None = None) -> float | None:
    """Seconds until every limit on `action` admits this client (and `key`) again; None when none is full."""
    now = time.time()
    waits: list[float] = []
    for rate in ratelimit.get_rates(app=ALLAUTH_ACCOUNT, action=action):
        if (rate.per == "key" and key is None) or (rate.per == "user" and not request.user.is_authenticated):
            continue
        cache_key = ratelimit.get_cache_key(request, app=ALLAUTH_ACCOUNT, action=action, rate=rate, key=key)
        counted = sorted((t for t in cache.get(cache_key, []) if t > now - rate.duration), reverse=True)
        if len(counted) >= rate.amount:
            waits.append(counted[rate.amount - 1] + rate.duration - now)
    return max(waits, default=None)


def longest_period(action: str) -> float:
    """The longest period among the limits on `action`: the most a refusal can last."""
    return max((rate.duration for rate in ratelimit.get_rates(app=ALLAUTH_ACCOUNT, action=action)), default=60)


def too_many_attempts(request: HttpRequest | None, *, action: str, key: str | None = None) -> ValidationError:
    """The refusal a customer reads, saying roughly when to try again.

    Without a request to tell whose attempts were counted, it names the
    longest period among the limits: the most the refusal can last.
    """
    wait = seconds_until_allowed(request, action=action, key=key) if request is not None else None
    minutes = max(1, math.ceil((wait if wait is not None else longest_period(action)) / 60))
    if minutes < 90:
        message = ngettext(
            "Too many attempts. Try again in about %(count)d minute.",
            "Too many attempts. Try again in about %(count)d minutes.",
            minutes,
        ) % {"count": minutes}
    else:
        hours = math.ceil(minutes / 60)
        message = ngettext(
            "Too many attempts. Try again in about %(count)d hour.",
            "Too many attempts. Try again in about %(count)d hours.",
            hours,
        ) % {"count": hours}
    return ValidationError(message, code="too_many_login_attempts")
