"""Start-up checks for the sign-in set-up (`manage.py check` runs them)."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register("security")
def check_rate_limit_cache(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    # allauth counts failed sign-ins and code requests in the cache; a dummy
    # cache forgets every count, which silently turns the limits off.
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith("DummyCache"):
        return [
            Error(
                "The default cache is a DummyCache, so allauth's rate limits do nothing.",
                hint="Set CACHE_URL to redis://... or file://... (see the README).",
                id="accounts.E001",
            )
        ]
    return []


@register("security")
def check_email_verification(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "ACCOUNT_EMAIL_VERIFICATION", None) != "mandatory":
        return [
            Error(
                "ACCOUNT_EMAIL_VERIFICATION must be 'mandatory': a privacy portal shows personal data "
                "only to the owner of the address.",
                id="accounts.E002",
            )
        ]
    return []


@register("translation")
def check_language_catalogues(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    # Every language the switcher offers has the portal's own catalogue: without
    # one, a customer who picks it reads Django's and allauth's words in their
    # language and every portal sentence in English. English is the source
    # language and needs none. A third language is its catalogue plus one line
    # in LANGUAGES.
    errors: list[CheckMessage] = []
    for code, name in settings.LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        catalogues = [Path(folder) / code / "LC_MESSAGES" / "django.po" for folder in settings.LOCALE_PATHS]
        if not any(catalogue.is_file() for catalogue in catalogues):
            errors.append(
                Error(
                    f"LANGUAGES offers {name} ({code}), but the portal has no catalogue for it.",
                    hint=f"Add {catalogues[0] if catalogues else f'locale/{code}/LC_MESSAGES/django.po'} "
                    "(manage.py makemessages -l " + code + "), or take the language out of LANGUAGES.",
                    id="accounts.E003",
                )
            )
    return errors
