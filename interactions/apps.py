from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    """The customer-experience data the business holds: conversations with AI
    and human agents, their messages, and what AI inferred from them."""

    name = "interactions"
    verbose_name = "Customer interactions"
    default_auto_field = "django.db.models.BigAutoField"
