"""The audit trail in staff's words: what each action code and each detail means.

The trail stores codes (`request.denied`, `{"from": "awaiting_approval"}`) so
that it holds no personal data and its hashes never depend on wording. The
admin reads them out with the words declared here. Privacy describes its own
actions below; every other app describes its own in its privacy.py with
`describe_audit_actions` (discovered at start-up with the personal-data
registry), so privacy names no other app. A code nobody described still reads
as words ("api_client.token_rotated" as "Api client token rotated"), so a new
action never shows up as a raw code or breaks the page.
"""

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.template.defaultfilters import filesizeformat

from privacy.models import PrivacyRequest
from privacy.registry import registry


@dataclass(frozen=True)
class AuditDetail:
    """How one key of an event's details reads."""

    label: str
    # How a value reads; None for the plain reading (yes/no, lists joined, codes as words).
    show: Callable[[Any], str] | None = None
    # The value is a user's ID: shown as the actor is (a staff member's name, "a customer").
    person: bool = False
    # The value is the ID of a row of this model ("privacy.aisystem"): shown by its name.
    refers_to: str = ""


@dataclass
class _Namespace:
    actions: dict[str, str]
    details: dict[str, AuditDetail]


_NAMESPACES: dict[str, _Namespace] = {}


def describe_audit_actions(
    namespace: str, *, actions: Mapping[str, str], details: Mapping[str, AuditDetail] | None = None
) -> None:
    """Words for the actions `<namespace>.<name>` an app records, and for their details' keys.

    `actions` maps the name after the dot to a label ("denied": "Request denied").
    """
    described = _NAMESPACES.setdefault(namespace, _Namespace(actions={}, details={}))
    described.actions.update(actions)
    described.details.update(details or {})


def as_words(code: str) -> str:
    """A code nobody described, as words: "api_client.token_rotated" -> "Api client token rotated"."""
    text = " ".join(part.replace("_", " ").strip() for part in code.split(".") if part.strip())
    return text[:1].upper() + text[1:]


def model_words(label: Any) -> str:
    """A model's label ("privacy.aipurpose") as its name ("AI purpose"); anything else as words."""
    try:
        model = apps.get_model(str(label))
    except (LookupError, ValueError):
        return as_words(str(label))
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]


# "AISystem" -> "ai_system": how staff edits in the admin name a model in their
# actions ("ai_system.created", privacy/services/staff_edits.py).
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@functools.cache
def _models_by_entity() -> dict[str, str]:
    return {
        _WORD_BOUNDARY.sub("_", model._meta.object_name or "").lower(): model_words(model._meta.label_lower)
        for model in apps.get_models()
    }


def action_is_described(code: str) -> bool:
    """Whether the action reads in words of its own: described, or named after a model ("ai_system.created")."""
    namespace, _, name = code.partition(".")
    if namespace in _NAMESPACES and name in _NAMESPACES[namespace].actions:
        return True
    return namespace in _models_by_entity() and bool(name)


def action_label(code: str) -> str:
    namespace, _, name = code.partition(".")
    described = _NAMESPACES.get(namespace)
    if described is not None and name in described.actions:
        return described.actions[name]
    if name and (model := _models_by_entity().get(namespace)):
        return f"{model} {as_words(name).lower()}"  # "AI system created"
    return as_words(code)


def detail_of(action: str, key: str) -> AuditDetail:
    described = _NAMESPACES.get(action.partition(".")[0])
    if described is not None and key in described.details:
        return described.details[key]
    return _COMMON_DETAILS.get(key) or AuditDetail(label=as_words(key))


def plain_value(value: Any) -> str:
    """A stored value as words, when its key says nothing more."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(plain_value(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{_key_words(str(key))}: {_nested(item)}" for key, item in value.items())
    if isinstance(value, str) and value.replace("_", "").isalpha() and value.islower():
        return value.replace("_", " ")  # a code such as "awaiting_approval"
    return str(value)


def _key_words(key: str) -> str:
    return model_words(key) if "." in key else as_words(key).lower()


def _nested(value: Any) -> str:
    if isinstance(value, dict):
        return "(" + ", ".join(f"{_key_words(str(key))} {plain_value(item)}" for key, item in value.items()) + ")"
    return plain_value(value)


def chosen(words: Mapping[str, str]) -> Callable[[Any], str]:
    """Shows a code by the word given for it, any other value plainly."""
    return lambda value: words.get(str(value), plain_value(value))


def days(value: Any) -> str:
    return "1 day" if value == 1 else f"{value} days"


def _size(value: Any) -> str:
    return str(filesizeformat(value)) if isinstance(value, int) else plain_value(value)


def _registry_source(value: Any) -> str:
    try:
        return registry.source(str(value)).staff_label
    except KeyError:
        return plain_value(value)


# Keys any action may carry: the admin's generic staff edits (privacy/services/staff_edits.py) name the
# model and the fields that changed.
_COMMON_DETAILS = {
    "model": AuditDetail("Kind of record", show=model_words),
    "fields": AuditDetail("Changed fields"),
    "inlines": AuditDetail("Rows within it"),
    "cascaded": AuditDetail("Also deleted"),
}

# --- The privacy app's own actions -------------------------------------------

# The desk's own words for kinds and statuses (staff words, not the customer's).
REQUEST_KINDS = {str(kind): label.lower() for kind, label in PrivacyRequest.STAFF_KIND_LABELS.items()}
REQUEST_STATUSES = {str(status): label.lower() for status, label in PrivacyRequest.STAFF_STATUS_LABELS.items()}
CONSENT_METHODS = {
    "portal": "the customer, in the portal",
    "api": "the business's systems, through the API",
    "gpc": "the browser's Global Privacy Control signal",
    "staff": "staff",
    "default": "the purpose's default",
}

describe_audit_actions(
    "request",
    actions={
        "submitted": "Request submitted",
        "awaiting_approval": "Request waiting for approval",
        "approved": "Request approved",
        "scheduled": "Request approved, waiting out its grace period",
        "processing": "Request job started",
        "completed": "Request completed",
        "failed": "Request job failed",
        "denied": "Request denied",
        "cancelled": "Request cancelled",
        "expired": "Export archive expired",
        "extended": "Deadline extended",
        "retried": "Failed job queued again",
        "assigned": "Request assigned",
    },
    details={
        "kind": AuditDetail("Kind", show=chosen(REQUEST_KINDS)),
        "from": AuditDetail("Previous status", show=chosen(REQUEST_STATUSES)),
        "days": AuditDetail("Extended by", show=days),
        "assignee": AuditDetail("Assigned to", person=True),
        "attempt": AuditDetail("Attempt"),
        "error": AuditDetail("Error"),
        "size": AuditDetail("Archive size", show=_size),
        "steps": AuditDetail("Erasure steps"),
        "grace_days": AuditDetail("Grace period", show=days),
        "approval": AuditDetail("Needs approval"),
        "reason": AuditDetail("Reason"),
    },
)
describe_audit_actions(
    "export",
    actions={"downloaded": "Export downloaded"},
    details={"size": AuditDetail("Archive size", show=_size)},
)
describe_audit_actions(
    "guidelines",
    actions={"published": "Staff guidelines published", "acknowledged": "Staff guidelines acknowledged"},
    details={"version": AuditDetail("Version")},
)
describe_audit_actions(
    "api_client",
    actions={
        "created": "API client created",
        "token_rotated": "API client token rotated",
        "revoked": "API client revoked",
        "changed": "API client changed",
        "deleted": "API client deleted",
    },
    details={
        "scopes": AuditDetail("Scopes", show=lambda value: ", ".join(value) if value else "none"),
        "fields": AuditDetail("Changed fields"),
        "active": AuditDetail("Active"),
    },
)
describe_audit_actions(
    "preference",
    actions={"changed": "AI preference changed", "always_human": "“Always a human” switched"},
    details={
        "customer": AuditDetail("Whose choice", person=True),
        "allowed": AuditDetail("AI use allowed"),
        "enabled": AuditDetail("Switched on"),
        "method": AuditDetail("Recorded from", show=chosen(CONSENT_METHODS)),
        "notice_version": AuditDetail("Notice version"),
    },
)
describe_audit_actions(
    "human_review",
    actions={
        "requested": "Human review requested",
        "started": "Human review started",
        "answered": "Human review answered",
    },
    details={
        "ai_system": AuditDetail("AI system", refers_to="privacy.aisystem"),
        "subject": AuditDetail("About", show=_registry_source),
        "contested": AuditDetail("Contests an outcome"),
        "result": AuditDetail(
            "Result", show=chosen({"upheld": "upheld (the outcome stands)", "changed": "changed by a person"})
        ),
        "new_outcome": AuditDetail("New outcome"),
    },
)
describe_audit_actions("webhook_delivery", actions={"resent": "Webhook delivery sent again"})
