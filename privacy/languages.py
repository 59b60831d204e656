"""The language the portal speaks to a customer in, wherever it speaks: pages, e-mails, archives, the ledger."""

from django.conf import settings
from django.utils import translation

from privacy.typing import Customer


def supported_language(code: str | None) -> str:
    """`code` if the portal offers it (settings.LANGUAGES, with a catalogue), else English.

    A preference saved before a language was withdrawn (the early "fr") falls
    back to English rather than to Django's own catalogue for that language,
    which would give the customer half-translated pages.
    """
    try:
        return translation.get_supported_language_variant(code or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def customer_language(user: Customer) -> str:
    """The language `user` reads the portal, their e-mails and their archives in."""
    return supported_language(user.preferred_language)


def language_for_staff(user: Customer | None) -> str:
    """The language to answer `user` in, named for staff (whose screens are English): "German (Deutsch)"."""
    if user is None:
        return "—"
    return language_name_for_staff(customer_language(user))


def language_name_for_staff(code: str) -> str:
    """A language's name for staff: "German (Deutsch)", "English"."""
    info = translation.get_language_info(code)
    name: str = info["name"]
    return name if info["name_local"] == name else f"{name} ({info['name_local']})"


def language_choices() -> list[tuple[str, str]]:
    """The languages the portal offers, as model field choices.

    A callable, so migrations record this function rather than the list:
    adding a language to settings.LANGUAGES needs no new migration.
    """
    return list(settings.LANGUAGES)
