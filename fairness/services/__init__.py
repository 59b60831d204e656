"""Writes of the fairness app, one module per concern; import from here."""

from fairness.services.attributes import (
    CONSENT_NOTICE_VERSION,
    AttributeRefused,
    monitoring_consent_withdraw,
    recorded_attributes_set,
    volunteered_attributes_save,
)
from fairness.services.audits import (
    AuditAlreadyPending,
    fairness_audit_claim,
    fairness_audit_execute,
    fairness_audit_fail,
    fairness_audit_release,
    fairness_audit_request,
    fairness_audits_requeue_stuck,
    thresholds_from_settings,
)

__all__ = [
    "CONSENT_NOTICE_VERSION",
    "AttributeRefused",
    "AuditAlreadyPending",
    "fairness_audit_claim",
    "fairness_audit_execute",
    "fairness_audit_fail",
    "fairness_audit_release",
    "fairness_audit_request",
    "fairness_audits_requeue_stuck",
    "monitoring_consent_withdraw",
    "recorded_attributes_set",
    "thresholds_from_settings",
    "volunteered_attributes_save",
]
