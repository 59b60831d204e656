"""The staff roles: "Privacy officer" decides, "Support agent" answers human reviews."""

PRIVACY_OFFICER = {
    "privacy": [
        "view_privacyrequest", "change_privacyrequest", "decide_privacyrequest", "view_compliance_dashboard",
        "add_aipurpose", "change_aipurpose", "view_aipurpose", "add_aisystem", "change_aisystem", "view_aisystem",
        "view_humanreviewrequest", "change_humanreviewrequest", "view_aioutputflag", "view_preferencebreach",
        "view_auditevent", "add_staffguidelines", "view_staffguidelines", "view_guidelinesacknowledgement",
        "add_webhookendpoint", "change_webhookendpoint", "view_webhookendpoint", "view_webhookdelivery",
        "change_webhookdelivery", "add_apiclient", "change_apiclient", "view_apiclient", "view_outboundemail",
    ],
    "interactions": ["view_conversation", "view_aiinference", "view_message", "view_aidecision"],
    "accounts": ["view_user"],
    "fairness": ["view_fairnessaudit", "run_fairnessaudit", "view_fairnessauditunit", "view_fairnessauditgroup"],
}
SUPPORT_AGENT = {
    "privacy": [
        "view_privacyrequest", "view_humanreviewrequest", "change_humanreviewrequest", "view_aioutputflag",
        "view_aisystem", "view_aipurpose", "view_staffguidelines",
    ],
    "interactions": ["view_conversation", "view_aiinference", "view_message", "view_aidecision"],
    "accounts": ["view_user"],
}


def ensure_staff_roles(**kwargs) -> None:
    """Create the two staff groups with their permissions (adding any missing).

    Connected to post_migrate, like the default purposes: a fresh database,
    and a test database after each flush, get them. Staff may add
    permissions to the groups; this never removes any.
    """
    from django.apps import apps as django_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # post_migrate reaches privacy before accounts and interactions: make sure
    # every app's permissions exist before granting them.
    for app_config in django_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for name, grants in (("Privacy officer", PRIVACY_OFFICER), ("Support agent", SUPPORT_AGENT)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )
