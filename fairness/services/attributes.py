"""Writes to the monitoring attributes: the business's (API) and the customer's own."""

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext

from fairness.attributes import ATTRIBUTES, BUSINESS, CUSTOMER
from fairness.models import MonitoringConsent, RecordedAttribute, VolunteeredAttribute
from privacy.models import APIClient
from privacy.services import audit_record
from privacy.typing import Customer

# The version of the consent notice on the volunteering page; raise it when
# the notice's words change, so each consent matches the words it was given on.
CONSENT_NOTICE_VERSION = 1


class AttributeRefused(ValueError):
    """Some attributes cannot be stored as given: {attribute key: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))
        self.errors = errors


def _cleaned(values: Mapping[str, str | None], *, who: str) -> dict[str, str | None]:
    cleaned: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for key, raw in values.items():
        attribute = ATTRIBUTES.get(key)
        if attribute is None:
            errors[key] = "unknown attribute; known: " + ", ".join(ATTRIBUTES)
        elif who not in attribute.given_by:
            errors[key] = "only the customer can give this, on the portal's fairness page"
        elif raw is None or raw == "":
            cleaned[key] = None
        else:
            try:
                cleaned[key] = attribute.clean(raw)
            except ValueError as refusal:
                errors[key] = str(refusal)
    if errors:
        raise AttributeRefused(errors)
    return cleaned


@transaction.atomic
def recorded_attributes_set(
    *, client: APIClient | None, customer: Customer, values: Mapping[str, str | None]
) -> tuple[list[str], list[str]]:
    """The business attaches (or, with an empty value, removes) attributes; returns (set, removed) keys."""
    cleaned = _cleaned(values, who=BUSINESS)
    removed = sorted(key for key, value in cleaned.items() if value is None)
    RecordedAttribute.objects.filter(customer_id=customer.pk, attribute__in=removed).delete()
    given = {key: value for key, value in cleaned.items() if value is not None}
    recorded = sorted(given)
    for key in recorded:
        RecordedAttribute.objects.update_or_create(
            customer_id=customer.pk, attribute=key, defaults={"value": given[key], "source_client": client}
        )
    return recorded, removed


def _consent_stands(customer: Customer) -> bool:
    latest = MonitoringConsent.objects.filter(customer_id=customer.pk).first()
    return latest is not None and latest.granted and latest.notice_version == CONSENT_NOTICE_VERSION


@transaction.atomic
def volunteered_attributes_save(
    *, customer: Customer, answers: dict[str, str], consent: bool, notice_version: int
) -> list[str]:
    """Store the customer's answers ("" = prefer not to say); returns the keys given.

    Giving anything needs explicit consent to the current notice; answering
    nothing at all is a withdrawal.
    """
    cleaned = _cleaned(answers, who=CUSTOMER)
    given = {key: value for key, value in cleaned.items() if value is not None}
    if not given:
        monitoring_consent_withdraw(customer=customer)
        return []
    if notice_version != CONSENT_NOTICE_VERSION:
        raise ValueError(gettext("the notice changed while the page was open; read it again"))
    if not consent:
        raise ValueError(gettext("giving these answers needs your explicit consent"))
    if not _consent_stands(customer):
        MonitoringConsent.objects.create(customer_id=customer.pk, granted=True, notice_version=notice_version)
    VolunteeredAttribute.objects.filter(customer_id=customer.pk).exclude(attribute__in=given).delete()
    for key, value in given.items():
        VolunteeredAttribute.objects.update_or_create(customer_id=customer.pk, attribute=key, defaults={"value": value})
    # Which attributes, never their values: the trail holds no personal data.
    audit_record(
        action="fairness.attributes_volunteered",
        actor_id=customer.pk,
        obj=customer,
        details={"attributes": sorted(given)},
    )
    return sorted(given)


@transaction.atomic
def monitoring_consent_withdraw(*, customer: Customer) -> bool:
    """Delete every volunteered answer and record the withdrawal; the next audit counts the
    customer as "not given". Returns False when there was nothing to withdraw."""
    deleted, _ = VolunteeredAttribute.objects.filter(customer_id=customer.pk).delete()
    latest = MonitoringConsent.objects.filter(customer_id=customer.pk).first()
    if latest is None or not latest.granted:
        return bool(deleted)
    MonitoringConsent.objects.create(customer_id=customer.pk, granted=False, notice_version=latest.notice_version)
    audit_record(action="fairness.consent_withdrawn", actor_id=customer.pk, obj=customer)
    return True
