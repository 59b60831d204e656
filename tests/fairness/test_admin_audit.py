"""Fairness audits are read-only in the admin; the one write, "run an audit now", is recorded in the audit trail."""

import pytest

from fairness.models import FairnessAudit
from tests.privacy.test_admin_audit import assert_no_personal_data, only_event, staff_with_mfa

pytestmark = pytest.mark.django_db


def test_staff_run_an_audit_now_and_the_trail_records_who_and_how(client):
    officer = staff_with_mfa(client)
    assert client.post("/admin/fairness/fairnessaudit/run/").status_code == 302
    audit = FairnessAudit.objects.get()
    event = only_event("fairness.audit_requested")
    assert (event.actor_id, event.object_type, event.object_id) == (officer.pk, "fairness.fairnessaudit", str(audit.pk))
    assert event.details == {"trigger": "staff"}
    assert_no_personal_data(event, "Olive Officer")
