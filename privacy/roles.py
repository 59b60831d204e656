"""The staff roles, as groups: "Privacy officer" decides, "Support agent" answers human reviews.

Privacy grants the permissions on its own models here; every other app grants
those on its models in its own privacy.py, with `grant_to_role` (discovered at
start-up with the personal-data registry), so privacy names no other app.
After every migrate each group is made to hold exactly its role's grants: a
grant taken out of a declaration is revoked from databases made before, and a
permission added to a role's group by hand is removed again (give one person
more through a group of your own, never by widening a role).
"""

from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

PRIVACY_OFFICER = "Privacy officer"
SUPPORT_AGENT = "Support agent"

# role -> app label -> permission codenames
_GRANTS: dict[str, dict[str, set[str]]] = {PRIVACY_OFFICER: {}, SUPPORT_AGENT: {}}


def grant_to_role(role: str, *, app_label: str, codenames: list[str]) -> None:
    if role not in _GRANTS:
        raise ValueError(f"unknown staff role {role!r}; the roles are {', '.join(_GRANTS)}")
    _GRANTS[role].setdefault(app_label, set()).update(codenames)


def role_grants(role: str) -> dict[str, set[str]]:
    return {app_label: set(codenames) for app_label, codenames in _GRANTS[role].items()}


grant_to_role(
    PRIVACY_OFFICER,
    app_label="privacy",
    codenames=[
        "view_privacyrequest",
        "change_privacyrequest",
        "decide_privacyrequest",
        "view_compliance_dashboard",
        "add_aipurpose",
        "change_aipurpose",
        "view_aipurpose",
        # Each purpose's page lists its notice's versions, in every language.
        "view_aipurposenotice",
        "add_aisystem",
        "change_aisystem",
        "view_aisystem",
        "view_humanreviewrequest",
        "change_humanreviewrequest",
        "view_aioutputflag",
        "view_preferencebreach",
        "view_auditevent",
        "add_staffguidelines",
        "view_staffguidelines",
        "view_guidelinesacknowledgement",
        "add_webhookendpoint",
        "change_webhookendpoint",
        "view_webhookendpoint",
        "view_webhookdelivery",
        "change_webhookdelivery",
        "add_apiclient",
        "change_apiclient",
        "view_apiclient",
        "view_outboundemail",
    ],
)
# The support agent answers customers who asked for a person, and reads what
# they flagged in AI output: exactly what that work needs (least privilege).
# - view + change HumanReviewRequest: the queue and the answer form. A review's
#   own page shows the one conversation or decision it is about (through the
#   registry), so no permission on conversations, messages, inferences,
#   decisions or customers' accounts is needed to see what is under review.
# - view AIOutputFlag: what customers flagged; its page shows the flagged output
#   (a flag has no "handled" state to change).
# - view AISystem: the transparency card, to explain what the AI did.
# - view StaffGuidelines: the guidelines they must acknowledge before answering
#   (acknowledging needs no permission: every staff member must).
# Nothing else: not customers' accounts, addresses, sessions or authenticators;
# not their conversations, messages, inferences or decisions; not privacy
# requests, the audit trail, AI purposes, API clients, webhooks, the e-mail
# outbox or fairness audits. Other apps grant the agent nothing on their models.
# tests/privacy/test_staff_roles.py walks every admin URL as an agent to hold this.
grant_to_role(
    SUPPORT_AGENT,
    app_label="privacy",
    codenames=[
        "view_humanreviewrequest",
        "change_humanreviewrequest",
        "view_aioutputflag",
        "view_aisystem",
        "view_staffguidelines",
    ],
)


def ensure_staff_roles(**kwargs: Any) -> None:
    """Make each staff group hold exactly every app's grants for its role; connected to post_migrate.

    Exactly, not at least: adding only would leave a database made under older,
    wider grants with the excess for ever.
    """
    # post_migrate reaches privacy before the apps after it: make sure every
    # app's permissions exist before granting them.
    for app_config in django_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, grants in _GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        granted = [
            permission
            for app_label, codenames in grants.items()
            for permission in Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        ]
        group.permissions.set(granted)
