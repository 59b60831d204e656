"""An index in the staff queue's order, on PostgreSQL.

The queue lists requests waiting for staff by deadline, then the rest newest
first (privacy/admin/requests.py: WAITING_FIRST, "-id"). Without an index in
that order, PostgreSQL sorts every request to show the first page. SQLite
cannot index NULLS LAST, and is only the development database, so it goes
without. The statuses are PrivacyRequest.NEEDS_STAFF_STATUSES; a test holds
the two together (tests/privacy/test_request_desk.py).
"""

from django.db import migrations, models

QUEUE_INDEX = models.Index(
    models.OrderBy(
        models.Case(
            models.When(
                status__in=["submitted", "awaiting_approval", "approved", "scheduled", "processing", "failed"],
                then=models.F("due_at"),
            )
        ),
        nulls_last=True,
    ),
    models.OrderBy(models.F("id"), descending=True),
    name="privacy_request_queue_idx",
)


def add_queue_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("privacy", "PrivacyRequest"), QUEUE_INDEX)


def remove_queue_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("privacy", "PrivacyRequest"), QUEUE_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0019_audit_event_action_index"),
    ]

    operations = [
        migrations.RunPython(add_queue_index, remove_queue_index),
    ]
