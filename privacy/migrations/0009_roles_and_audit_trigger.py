"""Staff roles as groups, and (on PostgreSQL) a trigger that refuses to edit the audit trail."""

from django.db import migrations

PRIVACY_OFFICER = {
    "privacy": [
        "view_privacyrequest", "change_privacyrequest", "decide_privacyrequest", "view_compliance_dashboard",
        "add_aipurpose", "change_aipurpose", "view_aipurpose", "add_aisystem", "change_aisystem", "view_aisystem",
        "view_humanreviewrequest", "change_humanreviewrequest", "view_aioutputflag", "view_preferencebreach",
        "view_auditevent", "add_staffguidelines", "view_staffguidelines", "view_guidelinesacknowledgement",
        "add_webhookendpoint", "change_webhookendpoint", "view_webhookendpoint", "view_webhookdelivery",
        "change_webhookdelivery", "add_apiclient", "change_apiclient", "view_apiclient", "view_outboundemail",
    ],
    "interactions": ["view_conversation", "view_aiinference", "view_message"],
    "accounts": ["view_user"],
}
SUPPORT_AGENT = {
    "privacy": [
        "view_privacyrequest", "view_humanreviewrequest", "change_humanreviewrequest", "view_aioutputflag",
        "view_aisystem", "view_aipurpose", "view_staffguidelines",
    ],
    "interactions": ["view_conversation", "view_aiinference", "view_message"],
    "accounts": ["view_user"],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in (("Privacy officer", PRIVACY_OFFICER), ("Support agent", SUPPORT_AGENT)):
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION privacy_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER privacy_auditevent_append_only BEFORE UPDATE OR DELETE ON privacy_auditevent
    FOR EACH ROW EXECUTE FUNCTION privacy_audit_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS privacy_auditevent_append_only ON privacy_auditevent;
DROP FUNCTION IF EXISTS privacy_audit_append_only();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0008_staff_desk"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("interactions", "0001_initial"),
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_groups, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
