from django.db import migrations, models


class Migration(migrations.Migration):
    """Fairness is measured now: the typed "last bias audit" becomes staff's
    note beside the measured audit; reviews record a structured result."""

    dependencies = [("privacy", "0010_staff_roles")]

    operations = [
        migrations.RemoveField(model_name="aisystem", name="last_bias_audit_on"),
        migrations.RenameField(model_name="aisystem", old_name="last_bias_audit_summary", new_name="bias_audit_note"),
        migrations.AlterField(
            model_name="aisystem",
            name="bias_audit_note",
            field=models.TextField(
                blank=True,
                help_text="Optional. Shown under the measured fairness audit on the public page, e.g. what was done about a finding.",
                verbose_name="note on bias audits",
            ),
        ),
        migrations.AddField(
            model_name="humanreviewrequest",
            name="result",
            field=models.CharField(
                blank=True,
                choices=[
                    ("upheld", "Upheld: the outcome stands"),
                    ("changed", "Changed: a person corrected the outcome"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="humanreviewrequest", name="new_outcome", field=models.CharField(blank=True, max_length=20)
        ),
        migrations.AddField(
            model_name="humanreviewrequest",
            name="new_outcome_label",
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
