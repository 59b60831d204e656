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

import secrets
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

from privacy.typing import JSONObject

ENTRY_SECONDS = 300
PURPOSES_VERSION_KEY = "ai-permissions:purposes-version"


def _version_key(customer_id: object) -> str:
    return f"ai-permissions:version:{customer_id}"


def _entry_key(customer_id: object) -> str:
    return f"ai-permissions:entry:{customer_id}"


def cached_permissions(customer_id: object, compute: Callable[[int], JSONObject | None]) -> JSONObject | None:
    """The cached answer for `customer_id`, or `compute(purposes_version)` (None: no such customer).

    `purposes_version` is 0 while no counter exists (never set, or evicted).
    """
    found = cache.get_many([_version_key(customer_id), _entry_key(customer_id), PURPOSES_VERSION_KEY])
    stamp = [found.get(_version_key(customer_id), 0), found.get(PURPOSES_VERSION_KEY, 0)]
    if not stamp[1]:
        # No purposes' counter yet (or evicted): start one, so processes can keep the purposes under it.
        cache.add(PURPOSES_VERSION_KEY, secrets.randbits(48) + 1, None)
        stamp[1] = cache.get(PURPOSES_VERSION_KEY, 0)
    entry = found.get(_entry_key(customer_id))
    if entry is not None and entry["stamp"] == stamp:
        cached: JSONObject = entry["body"]
        return cached
    body = compute(stamp[1])
    if body is not None:
        cache.set(_entry_key(customer_id), {"stamp": stamp, "body": body}, ENTRY_SECONDS)
    return body


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no counter yet (or evicted): start one
        # At a random value, never one a process may have seen before the eviction.
        cache.set(key, secrets.randbits(48) + 1, None)


def invalidate_customer(customer_id: object) -> None:
    transaction.on_commit(lambda: _bump(_version_key(customer_id)))


def invalidate_all_customers() -> None:
    transaction.on_commit(lambda: _bump(PURPOSES_VERSION_KEY))


# The active purposes, per process, for the purposes' version they were read
# at: the cold path answers a new customer without reading them again. A
# version of 0 (no counter) is never trusted.
_purposes_at_version: tuple[int, list[Any]] = (0, [])


def purposes_for_version(version: int, load: Callable[[], list[Any]]) -> list[Any]:
    global _purposes_at_version
    cached_version, purposes = _purposes_at_version
    if version and version == cached_version:
        return purposes
    purposes = load()
    if version:
        _purposes_at_version = (version, purposes)
    return purposes
