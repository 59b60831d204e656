"""A shared cache for the permission API's answers.

The business's systems ask before every use of AI, so this is the portal's
hottest read. Answers are cached per customer and stamped with two version
counters — the customer's, bumped after every change to their choices, and
one for all purposes, bumped when staff change a purpose. A reader fetches
the entry and both counters in one round trip and recomputes on any
mismatch, so a change is visible to the very next request (the bump happens
when the change commits), and an answer computed from data that changed
meanwhile is never served: it carries the old stamp.

It needs a cache all processes share (Redis in production, the file cache by
default); the entry's time-to-live bounds staleness should a counter be
evicted.
"""

from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

from privacy.typing import JSONObject

ENTRY_SECONDS = 300
PURPOSES_VERSION_KEY = "ai-permissions:purposes-version"


def _version_key(customer_id: object) -> str:
    return f"ai-permissions:version:{customer_id}"


def _entry_key(customer_id: object) -> str:
    return f"ai-permissions:entry:{customer_id}"


def cached_permissions(customer_id: object, compute: Callable[[], JSONObject | None]) -> JSONObject | None:
    """The cached answer for `customer_id`, or `compute()` (None: no such customer)."""
    found = cache.get_many([_version_key(customer_id), _entry_key(customer_id), PURPOSES_VERSION_KEY])
    stamp = [found.get(_version_key(customer_id), 0), found.get(PURPOSES_VERSION_KEY, 0)]
    entry = found.get(_entry_key(customer_id))
    if entry is not None and entry["stamp"] == stamp:
        cached: JSONObject = entry["body"]
        return cached
    body = compute()
    if body is not None:
        cache.set(_entry_key(customer_id), {"stamp": stamp, "body": body}, ENTRY_SECONDS)
    return body


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no counter yet (or evicted): start one
        cache.set(key, 1, None)


def invalidate_customer(customer_id: object) -> None:
    transaction.on_commit(lambda: _bump(_version_key(customer_id)))


def invalidate_all_customers() -> None:
    transaction.on_commit(lambda: _bump(PURPOSES_VERSION_KEY))
