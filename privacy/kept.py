"""What a process works out once per language and keeps: a source's words, a card's head, a query's SQL.

The registry, the translation catalogues and the schema do not change while a
process runs, so what is built from them alone (and the active language) is
built once and kept here. Each entry is kept under the id of what it belongs
to, with that owner kept beside it so that the id is never another's (ids are
reused once an object is freed: a source declared afresh, as tests do, is
worked out afresh). Cleared when a setting that changes the translations does.
"""

from collections.abc import Callable, Hashable
from typing import Any, cast

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation

# (what, id of the owner, language, anything else it depends on) -> (the owner, what was worked out).
_KEPT: dict[tuple[Hashable, ...], tuple[object, Any]] = {}


def kept_per_language[T](owner: object, what: str, *depends_on: Hashable, work_out: Callable[[], T]) -> T:
    """`work_out()` for `owner` in the active language: worked out on the first
    call, kept for every later one with the same owner, language and `depends_on`."""
    key = (what, id(owner), translation.get_language(), *depends_on)
    known = _KEPT.get(key)
    if known is None or known[0] is not owner:
        known = _KEPT[key] = (owner, work_out())
    return cast(T, known[1])


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    # As Django empties its own translation caches on these (tests override them).
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"}:
        _KEPT.clear()
