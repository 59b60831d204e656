"""Checking AI use reported by the business's systems against the customer's choices."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from privacy.models import AIPurpose, APIClient, PreferenceBreach
from privacy.selectors import ai_permission_for
from privacy.typing import Customer


class UnknownPurpose(LookupError):
    """No purpose has this slug: a typo would otherwise switch breach detection off unseen."""


def ai_use_record(
    *, user: Customer, purpose_slug: str, subject: Model, api_client: APIClient | None = None
) -> PreferenceBreach | None:
    """Note that AI was used for `purpose_slug` on `subject` (a stored row).

    The data is kept either way (it happened; the customer may want to see
    it); when the customer had not allowed it, a breach is recorded for staff.
    A retired purpose records nothing; an unknown slug is an error.
    """
    purpose = AIPurpose.objects.filter(slug=purpose_slug).first()
    if purpose is None:
        raise UnknownPurpose(purpose_slug)
    if not purpose.is_active:
        return None
    permission = ai_permission_for(user=user, purpose=purpose)
    if permission.allowed:
        return None
    return PreferenceBreach.objects.create(
        user_id=user.pk,
        purpose=purpose,
        reason=permission.reason,
        api_client=api_client,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
    )
