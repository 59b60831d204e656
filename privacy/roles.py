"""The staff roles, as groups: "Privacy officer" decides, "Support agent" answers human reviews.

Privacy grants the permissions on its own models here; every other app grants
those on its models in its own privacy.py, with `grant_to_role` (discovered at
start-up with the personal-data registry), so privacy names no other app.
After every migrate the groups are created and topped up: staff may add
permissions to them; this never removes any.
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
grant_to_role(
    SUPPORT_AGENT,
    app_label="privacy",
    codenames=[
        "view_privacyrequest",
        "view_humanreviewrequest",
        "change_humanreviewrequest",
        "view_aioutputflag",
        "view_aisystem",
        "view_aipurpose",
        "view_staffguidelines",
    ],
)


def ensure_staff_roles(**kwargs: Any) -> None:
    """Create the staff groups with every app's grants (adding any missing); connected to post_migrate."""
    # post_migrate reaches privacy before the apps after it: make sure every
    # app's permissions exist before granting them.
    for app_config in django_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, grants in _GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codenames in grants.items():
            group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
