"""Staff's writes to the AI purposes customers switch: each recorded, each seen by the permission API at once."""

from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings
from django.db import transaction
from modeltranslation.utils import build_localized_fieldname

from privacy.models import AIPurpose, AISystem
from privacy.services.audit import audit_record
from privacy.services.preferences import purpose_update_notice

# Changing either would silently switch AI on (or off) for every customer who
# never chose, or cut the business's systems off the name they ask by:
# retire the purpose and add a new one instead.
FIXED_ONCE_CREATED = ("slug", "legal_basis")


@transaction.atomic
def ai_purpose_save(
    *,
    purpose: AIPurpose,
    ai_systems: Iterable[AISystem],
    notice_text: str,
    notice_translations: Mapping[str, str] | None = None,
    changed: Sequence[str],
    actor_id: int,
) -> AIPurpose:
    """Save a purpose staff added or changed (`changed`: the names of the fields they changed).

    `notice_text`: the notice in English; `notice_translations`: by language
    code. A changed notice, in any language, is published as a new version:
    choices keep the version they were made under.
    """
    created = purpose._state.adding
    if not created:
        stored = AIPurpose.objects.select_for_update().get(pk=purpose.pk)
        fixed = [name for name in FIXED_ONCE_CREATED if getattr(stored, name) != getattr(purpose, name)]
        if fixed:
            raise ValueError(f"a purpose's {' and '.join(fixed)} cannot change: retire it and add a new one")
        # The notice changes only through a new version, below.
        for code, _name in settings.LANGUAGES:
            field = build_localized_fieldname("notice_text", code)
            setattr(purpose, field, getattr(stored, field))
        purpose.notice_version = stored.notice_version
    purpose.save()
    purpose.ai_systems.set(ai_systems)
    purpose_update_notice(purpose=purpose, text=notice_text, translations=notice_translations)
    audit_record(
        action="ai_purpose.created" if created else "ai_purpose.changed",
        actor_id=actor_id,
        obj=purpose,
        details={"fields": sorted(changed), "notice_version": purpose.notice_version},
    )
    return purpose


@transaction.atomic
def ai_purpose_delete(*, purpose: AIPurpose, actor_id: int) -> None:
    """Delete a purpose (with the customers' choices about it): the permission API forgets it at once.

    A purpose with recorded consents cannot go (the ledger protects it): retire it instead.
    """
    pk = purpose.pk
    _, per_model = purpose.delete()
    audit_record(
        action="ai_purpose.deleted",
        actor_id=actor_id,
        obj=AIPurpose(pk=pk),
        details={"preferences": per_model.get("privacy.AIPreference", 0)},
    )
