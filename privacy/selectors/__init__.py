"""Reads of the privacy domain, one module per concern; import from here."""

from privacy.selectors.audit import audit_chain_first_break, audit_event_count, audit_events_for
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
from privacy.selectors.requests import customer_requests, erasure_preview, next_export_possible_at
from privacy.selectors.reviews import (
    SubjectView,
    human_review_subject,
    human_review_subject_source,
    human_reviews_of,
    human_reviews_of_rows,
)

__all__ = [
    "FieldView",
    "GroupView",
    "Permission",
    "PermissionReason",
    "RowView",
    "SourceView",
    "SubjectView",
    "ai_permission_for",
    "ai_permissions",
    "api_client_by_token",
    "audit_chain_first_break",
    "audit_event_count",
    "audit_events_for",
    "compliance_dashboard",
    "consent_timeline",
    "current_guidelines",
    "customer_ai_settings",
    "customer_requests",
    "erasure_preview",
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
]
