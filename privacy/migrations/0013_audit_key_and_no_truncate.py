"""The audit trail becomes keyed (HMAC-SHA256 with AUDIT_KEY), and PostgreSQL refuses to TRUNCATE it.

A trail written before was hashed with plain SHA-256, which whoever can write
the database can recompute. Its events are not rewritten: they are evidence,
and rewriting them would mean switching the append-only triggers off. One keyed
event, "audit.sealed", is appended instead. Its HMAC covers the hash of the
event before it, so it seals every older event: changing any of them breaks the
link to the seal, which nobody without the key can recompute. verify-audit
accepts plain hashes only before the first keyed event, and reports a trail
that ends in plain ones (a trail rewritten with plain hashes looks like that).

The seal needs AUDIT_KEY: migrate with the key the portal runs with.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from privacy.audit_chain import audit_event_hash, legacy_audit_event_hash

NO_TRUNCATE_SQL = """
CREATE TRIGGER privacy_auditevent_no_truncate BEFORE TRUNCATE ON privacy_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION privacy_audit_append_only();
"""
DROP_NO_TRUNCATE_SQL = "DROP TRIGGER IF EXISTS privacy_auditevent_no_truncate ON privacy_auditevent;"


def refuse_truncate(apps, schema_editor):
    # The function of migration 0009 names the refused operation (TG_OP).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NO_TRUNCATE_SQL)


def allow_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_NO_TRUNCATE_SQL)


def _fields(event):
    return {
        "prev_hash": event.prev_hash,
        "sequence": event.sequence,
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "details": event.details,
        "created_at": event.created_at,
    }


def seal_plain_trail(apps, schema_editor):
    """Append one keyed event after a trail whose newest event has a plain hash."""
    AuditEvent = apps.get_model("privacy", "AuditEvent")
    AuditChainHead = apps.get_model("privacy", "AuditChainHead")
    using = schema_editor.connection.alias
    head = AuditChainHead.objects.using(using).select_for_update().filter(pk=1).first()
    if head is None or head.last_sequence == 0:
        return  # a trail that has no events yet starts keyed
    last = AuditEvent.objects.using(using).filter(sequence=head.last_sequence).first()
    if last is not None and last.hash != legacy_audit_event_hash(**_fields(last)):
        return  # sealed already, or keyed from the start
    sealed = {
        "prev_hash": head.last_hash,
        "sequence": head.last_sequence + 1,
        "actor_id": None,
        "action": "audit.sealed",
        "object_type": "",
        "object_id": "",
        "details": {"plain_events": head.last_sequence},
        "created_at": timezone.now(),
    }
    digest = audit_event_hash(key=settings.PORTAL_AUDIT_KEY.encode(), **sealed)
    AuditEvent.objects.using(using).create(hash=digest, **sealed)
    head.last_sequence, head.last_hash = sealed["sequence"], digest
    head.save(update_fields=["last_sequence", "last_hash"])


class Migration(migrations.Migration):
    dependencies = [("privacy", "0012_subject_erased_at")]

    operations = [
        migrations.RunPython(refuse_truncate, allow_truncate),
        # Not undone: the trail is append-only, and the seal is part of it.
        migrations.RunPython(seal_plain_trail, migrations.RunPython.noop),
    ]
