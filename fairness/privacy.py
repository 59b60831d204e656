"""The fairness app's side of privacy: its personal data, its panels, its command.

Discovered at start-up with every app's privacy.py; privacy never imports this app.
"""

from collections.abc import Iterable

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_stubs_ext import StrOrPromise

from fairness import selectors
from fairness.attributes import ATTRIBUTES
from fairness.command import add_arguments, handle
from fairness.dashboard import staff_dashboard_context
from fairness.models import FairnessAudit, MonitoringConsent, RecordedAttribute, Verdict, VolunteeredAttribute
from fairness.selectors import SystemSummary
from privacy.audit_words import AuditDetail, chosen, describe_audit_actions
from privacy.commands import register_subcommand
from privacy.models import AISystem
from privacy.panels import panels
from privacy.registry import Erasure, LegalBasis, PersonalField, Source, registry
from privacy.roles import PRIVACY_OFFICER, grant_to_role

MONITORING_ONLY = _(
    "To check that our AI systems treat groups of customers alike, by counting outcomes per group. "
    "Used for that alone: never given to an AI system, and only group totals ever leave the audit."
)


def _attribute_label(row: RecordedAttribute | VolunteeredAttribute) -> str:
    return str(ATTRIBUTES[row.attribute].label) if row.attribute in ATTRIBUTES else row.attribute


def _value_label(row: RecordedAttribute | VolunteeredAttribute) -> str:
    return ATTRIBUTES[row.attribute].value_label(row.value) if row.attribute in ATTRIBUTES else row.value


registry.declare(
    Source(
        model=RecordedAttribute,
        subject_path="customer",
        label=_("Characteristics our systems recorded, for fairness checks"),
        counted_as=ngettext_lazy("%(count)s characteristic", "%(count)s characteristics", "count"),
        description=(
            _(
                "Group characteristics our service systems hold about you, such as your preferred language or region, "
                "kept only to check that our AI treats groups of customers alike."
            )
        ),
        fields=(
            PersonalField("attribute", "user.demographic", label=_("Characteristic"), display=_attribute_label),
            PersonalField("value", "user.demographic", label=_("Value"), display=_value_label),
            PersonalField("recorded_at", "user.demographic", label=_("Recorded")),
        ),
        purpose=MONITORING_ONLY,
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        retention=_("While you have an account."),
        recipients=(_("Our AI governance and privacy teams, as group totals only"),),
        erasure=Erasure.delete(),
        ordering=("attribute",),
        group="fairness",
    )
)

registry.declare(
    Source(
        model=VolunteeredAttribute,
        subject_path="customer",
        label=_("What you told us to help check our AI is fair"),
        counted_as=ngettext_lazy("%(count)s answer", "%(count)s answers", "count"),
        description=(
            _(
                "Answers you chose to give on the “Help us check our AI is fair” page. Some, such as a disability, "
                "are special-category data: we hold them only with your explicit consent, which you can withdraw."
            )
        ),
        fields=(
            PersonalField("attribute", "user.demographic", label=_("Question"), display=_attribute_label),
            PersonalField(
                "value", "user.demographic", label=_("Your answer"), display=_value_label, special_category=True
            ),
            PersonalField("given_at", "user.demographic", label=_("Given")),
        ),
        purpose=MONITORING_ONLY,
        legal_basis=LegalBasis.CONSENT,
        retention=_("Until you withdraw your consent or erase your data."),
        recipients=(_("Our AI governance and privacy teams, as group totals only"),),
        erasure=Erasure.delete(),
        ordering=("attribute",),
        group="fairness",
        manage_url_name="fairness_volunteer",
    )
)

registry.declare(
    Source(
        model=MonitoringConsent,
        subject_path="customer",
        label=_("Your consent to fairness checks"),
        counted_as=ngettext_lazy("%(count)s record of your consent", "%(count)s records of your consent", "count"),
        description=_("When you gave or withdrew your consent to our use of your answers for fairness checks."),
        fields=(
            PersonalField("created_at", "user.privacy_preferences", label=_("When")),
            PersonalField("granted", "user.privacy_preferences", label=_("Consent given")),
            PersonalField("notice_version", "user.privacy_preferences", label=_("Notice version")),
        ),
        purpose=_("Proof of your consent and of its withdrawal (GDPR Art. 7(1))."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=_("Three years after the change."),
        recipients=(_("Our privacy team and auditors"),),
        erasure=Erasure.retain(
            _(
                "We must be able to prove what you agreed to and when (GDPR Art. 7(1)); the record holds none of "
                "your answers."
            )
        ),
        ordering=("-created_at", "-pk"),
        group="fairness",
        manage_url_name="fairness_volunteer",
    )
)


# --- Panels on privacy's pages -----------------------------------------------


def _transparency_contexts(*, systems: Iterable[AISystem]) -> dict[int, dict[str, SystemSummary]]:
    summaries = selectors.system_summaries(audit=selectors.latest_completed_audit(), systems=systems)
    return {pk: {"summary": summary} for pk, summary in summaries.items()}


def _customer_links(*, request: HttpRequest) -> dict[str, list[tuple[StrOrPromise, str]]]:
    return {"links": [(_("Help us check our AI is fair"), reverse("fairness_volunteer"))]}


panels.register(
    "transparency_system", template_name="fairness/panels/transparency_system.html", context=_transparency_contexts
)
panels.register(
    "staff_dashboard", template_name="fairness/panels/staff_dashboard.html", context=staff_dashboard_context
)
panels.register("customer_ai_links", template_name="privacy/panels/links.html", context=_customer_links, order=50)

register_subcommand(
    "fairness-audit",
    help="Run a fairness audit now and print it (per system, decision kind, attribute and group).",
    add_arguments=add_arguments,
    handle=handle,
)

grant_to_role(
    PRIVACY_OFFICER,
    app_label="fairness",
    codenames=[
        "view_fairnessaudit",
        "run_fairnessaudit",
        "view_fairnessauditunit",
        "view_fairnessauditgroup",
    ],
)


def _attribute_names(keys: object) -> str:
    if not isinstance(keys, list) or not keys:
        return "none"
    return ", ".join(str(ATTRIBUTES[key].label) if key in ATTRIBUTES else str(key) for key in keys)


def _moment(value: object) -> str:
    moment = parse_datetime(str(value))
    return format_date(timezone.localtime(moment), "j M Y, H:i") if moment is not None else str(value)


# The fairness events this app records, in words for the audit trail's readers.
describe_audit_actions(
    "fairness",
    actions={
        "audit_requested": "Fairness audit requested",
        "audit_completed": "Fairness audit completed",
        "audit_failed": "Fairness audit failed",
        "attributes_volunteered": "Characteristics given for fairness checks",
        "consent_withdrawn": "Consent to fairness checks withdrawn",
    },
    details={
        "trigger": AuditDetail(
            "Started by", show=chosen({str(k): str(v).lower() for k, v in FairnessAudit.Trigger.choices})
        ),
        "verdict": AuditDetail("Verdict", show=chosen({str(k): str(v) for k, v in Verdict.choices})),
        "units": AuditDetail("Comparisons"),
        "alerts": AuditDetail("Alerts"),
        "new_alerts": AuditDetail("New alerts"),
        "window_end": AuditDetail("Decisions up to", show=_moment),
        "results_sha256": AuditDetail("Results hash (SHA-256)"),
        "error": AuditDetail("Error"),
        "attributes": AuditDetail("Characteristics (never their values)", show=_attribute_names),
    },
)
