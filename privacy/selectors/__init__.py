"""Reads of the privacy domain, one module per concern; import from here."""

from privacy.selectors.audit import (
    AuditTrailReport,
    StoredCheckpoint,
    audit_events_for,
    audit_trail_verify,
)
from privacy.selectors.clients import api_client_by_token
from privacy.selectors.desk import (
    compliance_dashboard,
    current_guidelines,
    requests_due_soon_and_overdue,
    staff_acknowledged_current_guidelines,
)
from privacy.selectors.my_data import (
    FieldView,
    GroupView,
    RowView,
    SourceView,
    personal_data_inventory,
    personal_data_overview,
    personal_data_source_page,
    personal_data_summaries,
)
from privacy.selectors.permissions import (
    Permission,
    PermissionReason,
    ai_permission_for,
    ai_permissions,
    consent_timeline,
    customer_ai_settings,
    register_permission_override,
)
from privacy.selectors.requests import customer_requests, erasure_preview, erasure_stands, next_export_possible_at
from privacy.selectors.reviews import (
    SubjectPart,
    SubjectView,
    ai_output_flag_subject,
    human_review_subject,
    human_review_subject_source,
    human_reviews_of,
    human_reviews_of_rows,
    subject_parts,
)

__all__ = [
    "AuditTrailReport",
    "FieldView",
    "GroupView",
    "Permission",
    "PermissionReason",
    "RowView",
    "SourceView",
    "StoredCheckpoint",
    "SubjectPart",
    "SubjectView",
    "ai_output_flag_subject",
    "ai_permission_for",
    "ai_permissions",
    "api_client_by_token",
    "audit_events_for",
    "audit_trail_verify",
    "compliance_dashboard",
    "consent_timeline",
    "current_guidelines",
    "customer_ai_settings",
    "customer_requests",
    "erasure_preview",
    "erasure_stands",
    "human_review_subject",
    "human_review_subject_source",
    "human_reviews_of",
    "human_reviews_of_rows",
    "next_export_possible_at",
    "personal_data_inventory",
    "personal_data_overview",
    "personal_data_source_page",
    "personal_data_summaries",
    "register_permission_override",
    "requests_due_soon_and_overdue",
    "staff_acknowledged_current_guidelines",
    "subject_parts",
]
