"""The staff roles as groups: "Privacy officer" and "Support agent", with privacy's own permissions.

The groups are topped up after every migrate (privacy/roles.py), where every
app adds its grants; this migration makes the groups part of the schema's
history. Its data is frozen here, not imported: a migration must not change
when the code does.
"""

from django.db import migrations

PRIVACY_OFFICER = [
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
]
SUPPORT_AGENT = [
    "view_privacyrequest",
    "view_humanreviewrequest",
    "change_humanreviewrequest",
    "view_aioutputflag",
    "view_aisystem",
    "view_aipurpose",
    "view_staffguidelines",
]


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; these groups need privacy's now.
    privacy = apps.get_app_config("privacy")
    privacy.models_module = True
    create_permissions(privacy, apps=apps, verbosity=0)
    privacy.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Privacy officer", PRIVACY_OFFICER), ("Support agent", SUPPORT_AGENT)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="privacy", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0009_roles_and_audit_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
