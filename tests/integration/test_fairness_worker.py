"""A fairness audit asked for by staff runs on a real worker, on PostgreSQL and Redis."""

import pytest
from django.db import transaction

from fairness import services
from fairness.models import FairnessAudit
from privacy.models import AuditEvent, OutboundEmail
from tests.factories import AISystemFactory
from tests.fairness.conftest import customers, decide, unit_of
from tests.workers import wait_for

pytestmark = pytest.mark.integration


def test_an_audit_runs_on_the_fairness_queue_and_e_mails_a_new_alert(real_worker):
    system = AISystemFactory.create(slug="refund-assistant", name="Refund assistant", contact="refunds-ai@example.com")
    decide(customers(20, recorded={"language": "en"}), system, favourable=80, unfavourable=20)
    decide(customers(20, recorded={"language": "de"}), system, favourable=45, unfavourable=55)
    with transaction.atomic():
        audit = services.fairness_audit_request(trigger=FairnessAudit.Trigger.STAFF)
    done = wait_for(
        lambda: FairnessAudit.objects.filter(pk=audit.pk, status="completed").first(),
        timeout=60,
        what="the worker to complete the audit",
    )
    assert done.verdict == "alert" and unit_of(done, system).groups.count() == 2
    assert AuditEvent.objects.filter(action="fairness.audit_completed", object_id=str(audit.pk)).exists()
    sent = wait_for(
        lambda: OutboundEmail.objects.filter(template="fairness/email/alert", status="sent").first(),
        what="the alert e-mail",
    )
    assert "refunds-ai@example.com" in sent.recipients
    assert "fairness.tasks.run_fairness_audit[" in real_worker.log()
