"""The privacy domain's models, one module per concern."""

from privacy.models.ai import AISystem
from privacy.models.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from privacy.models.clients import APIClient
from privacy.models.consent import AIPreference, ConsentEvent, ConsentMethod, CustomerAISettings
from privacy.models.human_review import AIOutputFlag, HumanReviewRequest, PreferenceBreach
from privacy.models.mail import OutboundEmail
from privacy.models.purposes import AIPurpose, AIPurposeNotice, PurposeSlug
from privacy.models.requests import (
    AuditChainHead,
    AuditEvent,
    ErasureStep,
    ExportArchive,
    GuidelinesAcknowledgement,
    PrivacyRequest,
    StaffGuidelines,
)
from privacy.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AIOutputFlag",
    "AIPreference",
    "AIPurpose",
    "AIPurposeNotice",
    "AISystem",
    "APIClient",
    "AppendOnlyError",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "AuditChainHead",
    "AuditEvent",
    "ConsentEvent",
    "ConsentMethod",
    "CustomerAISettings",
    "ErasureStep",
    "ExportArchive",
    "GuidelinesAcknowledgement",
    "HumanReviewRequest",
    "OutboundEmail",
    "PreferenceBreach",
    "PrivacyRequest",
    "PurposeSlug",
    "StaffGuidelines",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
