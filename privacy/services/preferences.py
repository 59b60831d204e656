"""Writes to customers' AI choices: the current state and the ledger."""

from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from modeltranslation.utils import build_localized_fieldname

from privacy.languages import customer_language, supported_language
from privacy.models import AIPreference, AIPurpose, AIPurposeNotice, ConsentEvent, ConsentMethod, CustomerAISettings
from privacy.selectors import ai_permission_for, ai_permissions
from privacy.services.audit import audit_record
from privacy.services.webhooks import webhook_event_queue
from privacy.translated_text import text_in_language
from privacy.typing import Customer


def _ledger_language(*, user: Customer, method: ConsentMethod, language: str | None) -> str:
    """The language a choice was made in, for the ledger (notice versions are per purpose, not per language).

    The caller knows best and may say. Otherwise: in the portal (a switch, or
    the browser's GPC signal arriving with a page) the customer read the page
    in its active language. The business's other systems (the API), staff and
    defaults speak to the customer in their preferred language, so that is the
    language the notice reached them in.
    """
    if language:
        return supported_language(language)
    if method in (ConsentMethod.PORTAL, ConsentMethod.GPC):
        return supported_language(translation.get_language())
    return customer_language(user)


def _notice_language(purpose: AIPurpose, version: int, language: str) -> str:
    """The language the notice was shown in: `language`, or English where that version has no translation."""
    notice = purpose.notices.filter(version=version).first()
    return text_in_language(notice, "text", language).language if notice else language


def _settings_for(user: Customer) -> CustomerAISettings:
    settings_, _ = CustomerAISettings.objects.get_or_create(user_id=user.pk)
    return settings_


def announce_permissions_changed(user: Customer) -> None:
    """Subscribers hear the new state."""
    webhook_event_queue(
        event="ai_preferences.changed",
        payload={
            "customer_id": str(user.public_id),
            # Receivers keep the newest state: a late retry must not win.
            "occurred_at": timezone.now().isoformat(),
            "permissions": [permission.as_json() for permission in ai_permissions(user=user)],
        },
    )


@transaction.atomic
def preference_set(
    *,
    user: Customer,
    purpose: AIPurpose,
    allowed: bool,
    method: ConsentMethod,
    notice_version: int | None = None,
    language: str | None = None,
) -> bool:
    """Record a choice for one purpose. Returns False when nothing changed.

    One ledger event per real change: choosing what is already in force from
    the same kind of source writes nothing.
    """
    version = notice_version or purpose.notice_version
    if not 1 <= version <= purpose.notice_version:
        raise ValueError(f"notice version {version} of {purpose.slug} does not exist")
    # Lock the customer's settings row first: two first-ever choices arriving
    # together (a double click) otherwise both find no preference to lock.
    CustomerAISettings.objects.select_for_update().filter(pk=_settings_for(user).pk).get()
    current = AIPreference.objects.select_for_update().filter(user_id=user.pk, purpose=purpose).first()
    if current and current.allowed == allowed and current.method == method and current.notice_version == version:
        return False
    now = timezone.now()
    AIPreference.objects.update_or_create(
        user_id=user.pk,
        purpose=purpose,
        defaults={"allowed": allowed, "method": method, "notice_version": version, "changed_at": now},
    )
    ConsentEvent.objects.create(
        user_id=user.pk,
        kind=ConsentEvent.Kind.PURPOSE,
        purpose=purpose,
        granted=allowed,
        method=method,
        notice_version=version,
        language=_notice_language(purpose, version, _ledger_language(user=user, method=method, language=language)),
    )
    audit_record(
        action="preference.changed",
        actor_id=user.pk if method == ConsentMethod.PORTAL else None,
        obj=purpose,
        details={"customer": user.pk, "allowed": allowed, "method": str(method), "notice_version": version},
    )
    announce_permissions_changed(user)
    return True


@transaction.atomic
def always_human_set(*, user: Customer, enabled: bool, method: ConsentMethod, language: str | None = None) -> bool:
    """Switch "always a human" on or off. Returns False when nothing changed."""
    settings_ = CustomerAISettings.objects.select_for_update().filter(pk=_settings_for(user).pk).get()
    if settings_.always_human == enabled:
        return False
    settings_.always_human = enabled
    settings_.always_human_changed_at = timezone.now()
    settings_.save(update_fields=["always_human", "always_human_changed_at"])
    ConsentEvent.objects.create(
        user_id=user.pk,
        kind=ConsentEvent.Kind.ALWAYS_HUMAN,
        granted=enabled,
        method=method,
        language=_ledger_language(user=user, method=method, language=language),
    )
    audit_record(
        action="preference.always_human",
        actor_id=user.pk,
        obj=user,
        details={"enabled": enabled, "method": str(method)},
    )
    announce_permissions_changed(user)
    return True


@transaction.atomic
def gpc_honour(*, user: Customer) -> list[str]:
    """Apply a Global Privacy Control signal; returns the purposes it switched off.

    Every GPC-applicable purpose goes off unless the customer explicitly
    switched it on after the signal was first honoured.
    """
    settings_ = CustomerAISettings.objects.select_for_update().filter(pk=_settings_for(user).pk).get()
    first_signal = settings_.gpc_honoured_at or timezone.now()
    switched_off = []
    for purpose in AIPurpose.objects.filter(is_active=True, gpc_applies=True):
        preference = AIPreference.objects.filter(user_id=user.pk, purpose=purpose).first()
        explicit_later = (
            preference is not None
            and preference.method in ConsentMethod.explicit()
            and preference.allowed
            and preference.changed_at >= first_signal
        )
        if explicit_later or not ai_permission_for(user=user, purpose=purpose, ignore_overrides=True).allowed:
            continue
        if preference_set(user=user, purpose=purpose, allowed=False, method=ConsentMethod.GPC):
            switched_off.append(purpose.slug)
    if settings_.gpc_honoured_at is None:
        settings_.gpc_honoured_at = first_signal
        settings_.save(update_fields=["gpc_honoured_at"])
    return switched_off


@transaction.atomic
def purpose_update_notice(*, purpose: AIPurpose, text: str, translations: Mapping[str, str] | None = None) -> AIPurpose:
    """Publish a new version of a purpose's notice (the old ones stay on record).

    `text`: the notice in English; `translations`: by language code, a
    language left out keeps its words. One version holds every language, so a
    change in any of them is a new version: a consent records the version and
    the language it was shown in, and so points at exactly the words the
    customer read.
    """
    texts = {**(translations or {}), settings.LANGUAGE_CODE: text}
    fields = [build_localized_fieldname("notice_text", code) for code, _name in settings.LANGUAGES]
    words = {field: getattr(purpose, field) or "" for field in fields}
    for code, text in texts.items():
        words[build_localized_fieldname("notice_text", code)] = text.strip()
    if not words[build_localized_fieldname("notice_text", settings.LANGUAGE_CODE)]:
        raise ValueError("a notice needs its English text, the one every language falls back to")
    unchanged = all(words[field] == (getattr(purpose, field) or "").strip() for field in fields)
    if unchanged and purpose.notices.exists():
        return purpose
    latest = purpose.notices.order_by("-version").first()
    purpose.notice_version = (latest.version + 1) if latest else 1
    for field, text in words.items():
        setattr(purpose, field, text or None)
    purpose.save(update_fields=[*fields, "notice_version"])
    AIPurposeNotice.objects.create(
        purpose=purpose,
        version=purpose.notice_version,
        **{field.replace("notice_text", "text", 1): text or None for field, text in words.items()},
    )
    return purpose
