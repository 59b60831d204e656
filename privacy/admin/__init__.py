"""The staff's admin for the privacy domain, one module per concern (each registers its models)."""

from privacy.admin import ai, audit, clients, guidelines, mail, requests, reviews, webhooks  # noqa: F401
