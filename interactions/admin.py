from django.contrib import admin
from django.http import HttpRequest

from interactions.models import AIDecision, AIInference, Conversation, Message
from privacy.admin.audited import AuditedAdmin
from privacy.admin.staff_words import StaffChoicesFilter


class MessageInline(admin.TabularInline[Message, Conversation]):
    model = Message
    extra = 0
    fields = ("sent_at", "sender", "body", "ai_drafted", "human_reviewed", "ai_system")
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Conversation | None = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(AuditedAdmin[Conversation]):
    list_display = ("id", "customer", "channel", "handled_by", "ai_system", "started_at")
    list_filter = ("channel", "handled_by", "ai_system")
    list_select_related = ("customer", "ai_system")
    search_fields = ("customer__email", "external_id")
    date_hierarchy = "started_at"
    raw_id_fields = ("customer",)
    readonly_fields = ("source_client", "external_id", "created_at")
    inlines = [MessageInline]


@admin.register(AIInference)
class AIInferenceAdmin(AuditedAdmin[AIInference]):
    list_display = ("id", "customer", "ai_system", "kind", "value", "confidence", "inferred_at")
    list_filter = ("ai_system", "kind")
    list_select_related = ("customer", "ai_system")
    search_fields = ("customer__email", "external_id")
    raw_id_fields = ("customer", "conversation")
    readonly_fields = ("source_client", "external_id", "created_at")


# The outcome's labels speak to the customer ("In your favour"); staff read it plainly.
STAFF_OUTCOMES = {
    AIDecision.Outcome.FAVOURABLE: "Favourable",
    AIDecision.Outcome.UNFAVOURABLE: "Unfavourable",
    AIDecision.Outcome.NEUTRAL: "Neutral",
}


class OutcomeFilter(StaffChoicesFilter):
    title = "outcome"
    parameter_name = "outcome"
    labels = STAFF_OUTCOMES


@admin.register(AIDecision)
class AIDecisionAdmin(admin.ModelAdmin[AIDecision]):
    """Read-only: decisions are what the business's systems reported; a person changes
    one by answering the customer's request for review, never by editing it here."""

    list_display = (
        "id",
        "customer",
        "ai_system",
        "kind",
        "outcome_words",
        "outcome_label",
        "review_result",
        "decided_at",
    )
    list_filter = ("ai_system", "kind", OutcomeFilter, "review_result", "human_involved")
    list_select_related = ("customer", "ai_system")
    search_fields = ("customer__email", "external_id")
    date_hierarchy = "decided_at"

    @admin.display(description="outcome", ordering="outcome")
    def outcome_words(self, obj: AIDecision) -> str:
        return STAFF_OUTCOMES[AIDecision.Outcome(obj.outcome)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AIDecision | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AIDecision | None = None) -> bool:
        return False
