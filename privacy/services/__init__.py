"""Writes of the privacy domain, one module per concern; import from here."""

from privacy.services.audit import audit_record
from privacy.services.breaches import ai_use_record
from privacy.services.clients import (
    api_client_create,
    api_client_revoke,
    api_client_rotate_token,
    api_client_touch,
)
from privacy.services.human_review import (
    NotAllowed,
    ai_output_flag,
    human_review_answer,
    human_review_request,
    human_review_start,
)
from privacy.services.mail import (
    outbound_email_claim,
    outbound_email_deliver,
    outbound_email_fail,
    outbound_email_purge,
    outbound_email_queue,
    outbound_email_release,
    outbound_email_requeue_stuck,
)
from privacy.services.requests import (
    IllegalTransition,
    RequestRefused,
    export_build,
    export_claim,
    export_download_record,
    export_fail,
    export_release,
    export_request_create,
    exports_expire,
    next_export_possible_at,
    request_transition,
    requests_requeue_stuck,
    subject_reference,
)
from privacy.services.preferences import always_human_set, gpc_honour, preference_set, purpose_update_notice
from privacy.services.webhooks import (
    webhook_deliveries_stuck,
    webhook_delivery_attempt,
    webhook_delivery_claim,
    webhook_delivery_fail,
    webhook_endpoint_create,
    webhook_event_queue,
)

__all__ = [
    "IllegalTransition",
    "RequestRefused",
    "audit_record",
    "export_build",
    "export_claim",
    "export_download_record",
    "export_fail",
    "export_release",
    "export_request_create",
    "exports_expire",
    "next_export_possible_at",
    "request_transition",
    "requests_requeue_stuck",
    "subject_reference",
    "NotAllowed",
    "ai_output_flag",
    "ai_use_record",
    "always_human_set",
    "api_client_create",
    "api_client_revoke",
    "api_client_rotate_token",
    "api_client_touch",
    "gpc_honour",
    "human_review_answer",
    "human_review_request",
    "human_review_start",
    "outbound_email_claim",
    "outbound_email_deliver",
    "outbound_email_fail",
    "outbound_email_purge",
    "outbound_email_queue",
    "outbound_email_release",
    "outbound_email_requeue_stuck",
    "preference_set",
    "purpose_update_notice",
    "webhook_deliveries_stuck",
    "webhook_delivery_attempt",
    "webhook_delivery_claim",
    "webhook_delivery_fail",
    "webhook_endpoint_create",
    "webhook_event_queue",
]
