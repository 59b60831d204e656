"""The staff's "AI ethics and privacy guidelines": publishing a version, acknowledging it."""

from collections.abc import Mapping

from django.db import transaction

from privacy.models import GuidelinesAcknowledgement, StaffGuidelines
from privacy.selectors.desk import staff_acknowledged_current_guidelines
from privacy.services.audit import audit_record
from privacy.translated_text import written_in_every_language
from privacy.typing import Customer


class GuidelinesNotAcknowledged(Exception):
    """The staff member must read and acknowledge the current guidelines first."""


def require_acknowledged_guidelines(user: Customer) -> None:
    if not staff_acknowledged_current_guidelines(user):
        raise GuidelinesNotAcknowledged(
            "Read and acknowledge the current AI ethics and privacy guidelines before deciding requests or "
            "answering reviews."
        )


@transaction.atomic
def guidelines_publish(
    *, text: str, staff_user: Customer, translations: Mapping[str, str] | None = None
) -> StaffGuidelines:
    """Publish a new version: `text` in English (the version staff acknowledge), `translations` by language code."""
    if not text.strip():
        raise ValueError("guidelines need a text")
    latest = StaffGuidelines.objects.select_for_update().order_by("-version").first()
    guidelines = StaffGuidelines.objects.create(
        version=(latest.version + 1) if latest else 1,
        published_by_id=staff_user.pk,
        **written_in_every_language("text", text, translations),
    )
    audit_record(
        action="guidelines.published", actor_id=staff_user.pk, obj=guidelines, details={"version": guidelines.version}
    )
    return guidelines


def guidelines_acknowledge(*, guidelines: StaffGuidelines, staff_user: Customer) -> GuidelinesAcknowledgement:
    acknowledgement, created = GuidelinesAcknowledgement.objects.get_or_create(
        guidelines=guidelines, user_id=staff_user.pk
    )
    if created:
        audit_record(
            action="guidelines.acknowledged",
            actor_id=staff_user.pk,
            obj=guidelines,
            details={"version": guidelines.version},
        )
    return acknowledgement
