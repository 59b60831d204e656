"""The staff roles as groups: "Privacy officer" and "Support agent".

The same groups are topped up after every migrate (privacy/roles.py), so a
database emptied by a test flush gets them back; this migration makes them
part of the schema's history.
"""

from django.db import migrations

from privacy.roles import PRIVACY_OFFICER, SUPPORT_AGENT


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


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0009_roles_and_audit_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("interactions", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
