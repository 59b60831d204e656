"""E-mailing a new fairness alert to the privacy team and the AI system's contact.

An alert is new when the same AI system, decision kind and attribute(s) were
not in alert in the previous audit: a standing alert is not repeated daily.
The e-mail names groups and figures only for groups large enough to judge.
"""

from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse

from fairness.attributes import ATTRIBUTES
from fairness.models import FairnessAudit, FairnessAuditUnit, Verdict
from privacy.models import AISystem
from privacy.services.mail import outbound_email_queue


def _unit_key(unit: FairnessAuditUnit) -> tuple[int, str, str]:
    return unit.ai_system_id, unit.decision_kind, unit.attribute_set


def new_alert_units(*, audit: FairnessAudit, units: list[FairnessAuditUnit]) -> list[FairnessAuditUnit]:
    alerting = [unit for unit in units if unit.verdict == Verdict.ALERT]
    if not alerting:
        return []
    previous = (
        FairnessAudit.objects.filter(status=FairnessAudit.Status.COMPLETED, window_end__lt=audit.window_end)
        .exclude(pk=audit.pk)
        .order_by("-window_end", "-pk")
        .first()
    )
    already: set[tuple[int, str, str]] = set()
    if previous is not None:
        already = {_unit_key(unit) for unit in previous.units.filter(verdict=Verdict.ALERT)}
    return [unit for unit in alerting if _unit_key(unit) not in already]


def _recipients(system: AISystem) -> list[str]:
    recipients = list(settings.PORTAL_PRIVACY_TEAM_EMAILS)
    try:
        validate_email(system.contact)
    except ValidationError:
        pass  # a team's name rather than an address: the privacy team forwards it
    else:
        recipients.append(system.contact)
    return list(dict.fromkeys(recipients))


def send_alerts(*, audit: FairnessAudit, units: list[FairnessAuditUnit]) -> int:
    """One e-mail per AI system with new alerts; returns how many were queued."""
    by_system: defaultdict[AISystem, list[FairnessAuditUnit]] = defaultdict(list)
    for unit in FairnessAuditUnit.objects.filter(pk__in=[u.pk for u in units]).select_related("ai_system"):
        by_system[unit.ai_system].append(unit)
    base = settings.PORTAL_URL.rstrip("/")
    sent = 0
    for system, system_units in by_system.items():
        recipients = _recipients(system)
        if not recipients:
            continue
        findings = [
            {
                "unit": unit,
                "attributes": " × ".join(str(ATTRIBUTES[key].label) for key in unit.attributes),
                # Figures of judged groups only: a small group is never named with a number.
                "groups": [g for g in unit.groups.all() if g.verdict in (Verdict.ALERT, Verdict.WATCH)],
                "url": base + reverse("admin:fairness_fairnessauditunit_change", args=[unit.pk]),
            }
            for unit in system_units
        ]
        context = {
            "audit": audit,
            "system": system,
            "findings": findings,
            "portal_name": settings.PORTAL_NAME,
            "dashboard_url": base + reverse("admin:privacy_compliance_dashboard"),
        }
        subject = f"[{settings.PORTAL_NAME}] Fairness alert: {system.name}"
        message = EmailMultiAlternatives(
            subject,
            render_to_string("fairness/email/alert_message.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
        message.attach_alternative(render_to_string("fairness/email/alert_message.html", context), "text/html")
        outbound_email_queue(message=message, template="fairness/email/alert", user_id=None)
        sent += 1
    return sent
