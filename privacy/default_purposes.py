"""The six uses of AI a customer can switch, with version 1 of their notices.

Staff edit the texts in the admin afterwards (each edit is a new version); the
business's systems refer to purposes by these slugs.
"""

from typing import Any, cast

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from modeltranslation.utils import build_localized_fieldname

from privacy.models import AIPurpose, AIPurposeNotice, PurposeSlug
from privacy.translated_text import in_every_language

PURPOSES = [
    {
        "slug": PurposeSlug.AI_CHAT_ASSISTANT,
        "name": _("AI chat assistant answers first"),
        "description": _(
            "When you write to us in chat or a messaging app, our AI assistant answers first and hands you to a person when needed. Switched off, a person answers you (it may take longer)."
        ),
        "data_used": _("The messages you send us, and your order history."),
        "legal_basis": "legitimate_interests",
        "gpc_applies": False,
        "display_order": 10,
    },
    {
        "slug": PurposeSlug.AI_DRAFTED_REPLIES,
        "name": _("AI-drafted replies to my messages"),
        "description": _(
            "An AI suggests a draft answer to your e-mails and messages; one of our agents checks and edits it before it is sent. Switched off, agents write every word themselves."
        ),
        "data_used": _("The messages you send us."),
        "legal_basis": "legitimate_interests",
        "gpc_applies": False,
        "display_order": 20,
    },
    {
        "slug": PurposeSlug.SENTIMENT_INTENT_ANALYSIS,
        "name": _("Sentiment and intent analysis of my messages"),
        "description": _(
            "An AI reads your messages to tell what you need and how you feel, so urgent or unhappy customers are answered first. Switched off, your messages are queued in order of arrival."
        ),
        "data_used": _("The messages you send us."),
        "legal_basis": "legitimate_interests",
        "gpc_applies": False,
        "display_order": 30,
    },
    {
        "slug": PurposeSlug.PERSONALISED_RECOMMENDATIONS,
        "name": _("Personalised recommendations"),
        "description": _(
            "An AI suggests products and help articles based on your conversations and the customer segment it places you in. Switched off, you see the same suggestions as everyone else."
        ),
        "data_used": _("Your conversations, your purchases, and the segment our AI places you in."),
        "legal_basis": "legitimate_interests",
        "gpc_applies": True,
        "display_order": 40,
    },
    {
        "slug": PurposeSlug.AUTOMATED_DECISIONS,
        "name": _("Automated decisions about me, without a person"),
        "description": _(
            "An AI may decide some requests on its own — for example small refunds or whether an offer applies to you — so you get an answer at once. Switched off (the default), a person makes every such decision."
        ),
        "data_used": _("Your request, your order history and your account details."),
        "legal_basis": "consent",
        "gpc_applies": False,
        "display_order": 50,
    },
    {
        "slug": PurposeSlug.AI_TRAINING,
        "name": _("Use of my conversations to train or improve AI"),
        "description": _(
            "Your conversations, with names and contact details removed, help us train and improve our AI systems. Switched off (the default), they are never used for that."
        ),
        "data_used": _("Your conversations with us, de-identified."),
        "legal_basis": "consent",
        "gpc_applies": True,
        "display_order": 60,
    },
]


def notice_for(purpose: dict[str, Any]) -> str:
    """Version 1 of a purpose's notice, in the active language."""
    basis = (
        gettext(
            "We rely on our legitimate interest in serving you quickly and well; you can object at any time by switching it off."
        )
        if purpose["legal_basis"] == "legitimate_interests"
        else gettext("We do this only with your consent, which you can give or withdraw at any time.")
    )
    return gettext("{description} Data used: {data_used} {basis}").format(
        description=purpose["description"], data_used=purpose["data_used"], basis=basis
    )


TRANSLATED_FIELDS = ("name", "description", "data_used")


def ensure_default_purposes(**kwargs: Any) -> None:
    """Create any of the six purposes that is missing (never changes existing ones).

    Connected to post_migrate, like Django's own content types and
    permissions: a fresh database, and a test database after each flush, get
    them without a fixture. Staff retire a purpose by unticking "active".
    """
    for data in PURPOSES:
        texts: dict[str, str] = {}
        for field in TRANSLATED_FIELDS:
            texts |= in_every_language(field, cast(StrOrPromise, data[field]))
        notice = in_every_language("text", cast(StrOrPromise, lazy(notice_for, str)(data)))
        untranslated = {key: value for key, value in data.items() if key not in TRANSLATED_FIELDS}
        purpose, created = AIPurpose.objects.get_or_create(
            slug=data["slug"],
            defaults={
                **untranslated,
                **texts,
                **{key.replace("text", "notice_text", 1): value for key, value in notice.items()},
                "notice_version": 1,
            },
        )
        if created:
            AIPurposeNotice.objects.create(purpose=purpose, version=1, **notice)
        else:
            _add_missing_translations(purpose, texts, notice)


def _add_missing_translations(purpose: AIPurpose, texts: dict[str, str], notice: dict[str, str]) -> None:
    """Give a default purpose the translations its catalogues have gained since it was made.

    Only where staff kept the English as shipped and the language is still
    empty: staff's words are never replaced. Version 1 of the notice gains a
    language it lacked; no consent was recorded in that language against it,
    as the ledger records the language a notice was actually shown in
    (English, while it had no translation).
    """
    shipped = texts | {key.replace("text", "notice_text", 1): value for key, value in notice.items()}
    changed = []
    for field in (*TRANSLATED_FIELDS, "notice_text"):
        english = build_localized_fieldname(field, settings.LANGUAGE_CODE)
        if getattr(purpose, english) != shipped[english]:
            continue  # staff rewrote it: their translations are theirs to give
        for code, _name in settings.LANGUAGES:
            key = build_localized_fieldname(field, code)
            if shipped[key] and not getattr(purpose, key):
                setattr(purpose, key, shipped[key])
                changed.append(key)
    if changed:
        purpose.save(update_fields=changed)
    english_notice = build_localized_fieldname("text", settings.LANGUAGE_CODE)
    first = purpose.notices.filter(version=1, **{english_notice: notice[english_notice]}).first()
    if first is not None:
        missing = {key: value for key, value in notice.items() if value and not getattr(first, key)}
        if missing:
            AIPurposeNotice.objects.filter(pk=first.pk).update(**missing)
