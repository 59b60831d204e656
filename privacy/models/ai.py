from django.db import models

from privacy.taxonomy import CATEGORIES


class AISystem(models.Model):
    """The transparency card of one AI system the business runs."""

    name = models.CharField(max_length=120)
    # Stable handle the business's platform uses in the ingest API.
    slug = models.SlugField(max_length=60, unique=True)
    provider = models.CharField(max_length=120, help_text="Who built or hosts it, e.g. 'In-house' or a vendor.")
    model_name = models.CharField("model", max_length=120, blank=True, help_text="The model and version it runs.")
    description = models.TextField("what it does", help_text="In words a customer understands.")
    data_categories = models.JSONField(
        default=list, blank=True, help_text="fideslang keys of the data it uses, e.g. user.content.private."
    )
    decisions = models.TextField("decisions it makes", blank=True)
    human_oversight = models.TextField(blank=True, help_text="How and when a person reviews what it does.")
    # The measured fairness audits are shown beside it; this is staff's own
    # comment on them (what was found, what was done), if any.
    bias_audit_note = models.TextField(
        "note on bias audits",
        blank=True,
        help_text="Optional. Shown under the measured fairness audit on the public page, e.g. what was done about a finding.",
    )
    contact = models.CharField(max_length=200, help_text="Who answers questions about it (team or address).")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "AI system"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def data_categories_labels(self) -> list[str]:
        return [CATEGORIES[key].label if key in CATEGORIES else key for key in self.data_categories]
