from django.apps import AppConfig


class FairnessConfig(AppConfig):
    """Measures whether each AI system treats groups of customers alike.

    Monitoring-only group attributes (declared personal data, never given to
    an AI), audits of AI decision outcomes per group run on a schedule and on
    demand, and alerts. It reads interactions' decisions and uses privacy's
    registry, panels and audit trail; no app imports it.
    """

    name = "fairness"
    verbose_name = "Fairness audits"
    default_auto_field = "django.db.models.BigAutoField"
