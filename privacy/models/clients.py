from django.db import models


class APIClient(models.Model):
    """A system of the business allowed to call the portal's API.

    Only a hash of the token is stored; the token itself is shown once, when
    the client is created.
    """

    class Scope(models.TextChoices):
        INTERACTIONS_WRITE = "interactions:write", "Record conversations, AI inferences and AI decisions"
        PERMISSIONS_READ = "permissions:read", "Read customers' AI permissions"
        PERMISSIONS_WRITE = "permissions:write", "Record consents captured elsewhere"
        MONITORING_WRITE = "monitoring:write", "Attach monitoring-only attributes for fairness audits"

    name = models.CharField(max_length=120, unique=True)
    # The first characters of the token, to tell clients apart in admin and
    # logs without revealing anything usable.
    token_prefix = models.CharField(max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API client"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    # DRF treats the calling client as the request's authenticated principal.
    is_authenticated = True

    def has_scope(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes
