"""Personal data held by the interactions store, and the "AI and you" summary."""

from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Aggregate, Count, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from interactions import services
from interactions.models import AIDecision, AIInference, Conversation, Message
from privacy.panels import panels
from privacy.registry import Erasure, LegalBasis, PersonalField, ReviewOutcomes, Source, registry
from privacy.roles import PRIVACY_OFFICER, grant_to_role
from privacy.selectors.sql_once import customer_rows
from privacy.typing import Customer

SERVICE_RECIPIENTS = (_("Our customer-service team"), _("The AI systems named beside each item"))

registry.declare(
    Source(
        model=Conversation,
        subject_path="customer",
        label=_("Your conversations"),
        counted_as=ngettext_lazy("%(count)s conversation", "%(count)s conversations", "count"),
        description=_("Each time you contacted us: how, when, and whether an AI assistant or a person handled it."),
        fields=(
            PersonalField("channel", "user.behavior", label=_("Channel")),
            PersonalField("subject", "user.content.private", label=_("Topic")),
            PersonalField("handled_by", "user.behavior", label=_("Handled by")),
            PersonalField("ai_system", "user.behavior", label=_("AI system involved")),
            PersonalField("started_at", "user.behavior", label=_("Started")),
            PersonalField("ended_at", "user.behavior", label=_("Ended")),
        ),
        purpose=_("To answer you and keep the history of your service requests."),
        legal_basis=LegalBasis.CONTRACT,
        retention=_("Three years after the conversation ends."),
        recipients=SERVICE_RECIPIENTS,
        erasure=Erasure.delete(),
        ordering=("-started_at",),
        row_ai_system_field="ai_system",
        human_review=True,
    )
)

registry.declare(
    Source(
        model=Message,
        subject_path="conversation__customer",
        label=_("Messages in your conversations"),
        counted_as=ngettext_lazy("%(count)s message", "%(count)s messages", "count"),
        description=_("What you wrote to us and what we (or our AI) answered."),
        fields=(
            PersonalField("sent_at", "user.content.private", label=_("Sent")),
            PersonalField("sender", "user.content.private", label=_("From")),
            PersonalField("body", "user.content.private", label=_("Message")),
            PersonalField("ai_drafted", "user.content.private", label=_("Drafted by AI")),
            PersonalField("human_reviewed", "user.content.private", label=_("Checked by a person before sending")),
            PersonalField("ai_system", "user.content.private", label=_("AI system involved")),
        ),
        purpose=_("To answer you and keep the history of your service requests."),
        legal_basis=LegalBasis.CONTRACT,
        retention=_("Three years after the conversation ends."),
        recipients=SERVICE_RECIPIENTS,
        erasure=Erasure.delete(),
        ordering=("-sent_at", "-pk"),
        row_ai_system_field="ai_system",
        flaggable=True,
        excerpt_fields=("sent_at", "sender", "body"),
    )
)


def _conclusion_in_words(inference: AIInference) -> str:
    return inference.value_label


registry.declare(
    Source(
        model=AIInference,
        subject_path="customer",
        label=_("What our AI concluded about you"),
        counted_as=ngettext_lazy("%(count)s conclusion", "%(count)s conclusions", "count"),
        description=_("Conclusions AI systems drew from your conversations, with how sure they were."),
        fields=(
            PersonalField("inferred_at", "user.demographic.profile", label=_("When")),
            PersonalField("kind", "user.demographic.profile", label=_("Kind")),
            PersonalField(
                "value",
                "user.demographic.profile",
                label=_("Conclusion"),
                derived_by_ai=True,
                ai_system_field="ai_system",
                confidence_field="confidence",
                display=_conclusion_in_words,
            ),
        ),
        purpose=_("To route your requests, prioritise urgent ones and personalise our service."),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        retention=_("One year, or until you object or erase your data."),
        recipients=(_("Our customer-service team"),),
        erasure=Erasure.delete(),
        ordering=("-inferred_at",),
        row_ai_system_field="ai_system",
        human_review=True,
    )
)


def _reasons_in_words(decision: AIDecision) -> str:
    return " · ".join(decision.reason_texts)


def _record_review(decision: AIDecision, result: str, new_outcome: str, new_outcome_label: str) -> None:
    services.decision_review_record(
        decision=decision, result=result, new_outcome=new_outcome, new_outcome_label=new_outcome_label
    )


registry.declare(
    Source(
        model=AIDecision,
        subject_path="customer",
        label=_("Decisions our AI made about you"),
        counted_as=ngettext_lazy("%(count)s decision", "%(count)s decisions", "count"),
        description=(
            _(
                "Each decision or recommendation an AI system made about you — a refund, a priority, an offer — "
                "with its main reasons, and what a person found if you asked for a review."
            )
        ),
        fields=(
            PersonalField("decided_at", "user.behavior", label=_("When")),
            PersonalField("kind_label", "user.behavior", label=_("About")),
            PersonalField(
                "outcome_label",
                "user.demographic.profile",
                label=_("Our AI decided"),
                derived_by_ai=True,
                ai_system_field="ai_system",
                confidence_field="confidence",
            ),
            PersonalField("outcome", "user.demographic.profile", label=_("For you")),
            PersonalField("reasons", "user.demographic.profile", label=_("Main reasons"), display=_reasons_in_words),
            PersonalField("human_involved", "user.demographic.profile", label=_("A person took part")),
            PersonalField("model_version", "user.demographic.profile", label=_("Model version")),
            PersonalField("review_result", "user.demographic.profile", label=_("Human review")),
            PersonalField("final_outcome_label", "user.demographic.profile", label=_("Decision after review")),
        ),
        purpose=_(
            "To decide some requests at once, to explain each decision, and to let you contest it (GDPR Art. 22)."
        ),
        legal_basis=LegalBasis.CONSENT,
        retention=_("Two years after the decision, or until you erase your data."),
        recipients=(_("Our customer-service team"), _("The AI system that made the decision")),
        erasure=Erasure.delete(),
        ordering=("-decided_at", "-pk"),
        row_ai_system_field="ai_system",
        human_review=True,
        group="ai_decisions",
        list_url_name="decision_list",
        overview_fields=(
            "decided_at",
            "kind_label",
            "outcome_label",
            "outcome",
            "review_result",
            "final_outcome_label",
        ),
        detail_url_name="decision_detail",
        review_outcomes=ReviewOutcomes(
            choices=tuple((value, str(label)) for value, label in AIDecision.Outcome.choices),
            record=_record_review,
        ),
    )
)


def _figures(rows: "QuerySet[Any]", customer_path: str, **figures: Aggregate) -> Subquery:
    """These rows' figures as one JSON object, NULL when there are none: one table read once."""
    grouped = rows.order_by().values(customer_path).annotate(figures=JSONObject(**figures)).values("figures")
    return Subquery(grouped, output_field=JSONField())


def _ai_and_you_query(customer: Customer) -> "QuerySet[Any]":
    AI, HUMAN, AI_THEN_HUMAN = (
        Conversation.HandledBy.AI,
        Conversation.HandledBy.HUMAN,
        Conversation.HandledBy.AI_THEN_HUMAN,
    )
    return (
        get_user_model()
        .objects.filter(pk=customer.pk)
        .only("pk")
        .annotate(
            _conversations_figures=_figures(
                Conversation.objects.filter(customer=OuterRef("pk")),
                "customer",
                total=Count("pk"),
                by_ai=Count("pk", filter=Q(handled_by=AI)),
                by_people=Count("pk", filter=Q(handled_by=HUMAN)),
                by_ai_then_people=Count("pk", filter=Q(handled_by=AI_THEN_HUMAN)),
            ),
            _replies_figures=_figures(
                Message.objects.filter(conversation__customer=OuterRef("pk")),
                "conversation__customer",
                drafted=Count("pk", filter=Q(ai_drafted=True)),
                drafted_and_reviewed=Count("pk", filter=Q(ai_drafted=True, human_reviewed=True)),
                by_ai=Count("pk", filter=Q(sender=Message.Sender.AI)),
            ),
            _inferences_figures=_figures(
                AIInference.objects.filter(customer=OuterRef("pk")), "customer", total=Count("pk")
            ),
            _decisions_figures=_figures(
                AIDecision.objects.filter(customer=OuterRef("pk")),
                "customer",
                total=Count("pk"),
                reviewed=Count("pk", filter=~Q(review_result="")),
            ),
        )
    )


def ai_and_you(user: Customer) -> list[tuple[StrOrPromise, object]]:
    """How much of your service involved AI: one query (written once per process), whatever the volume."""
    row: Any = next(iter(customer_rows(("ai and you",), ai_and_you, _ai_and_you_query, user)), None)

    def of(kind: str) -> defaultdict[str, int]:
        # No rows of a kind: its subquery is NULL, and every figure of it is 0.
        return defaultdict(int, getattr(row, kind, None) or {})

    conversations, replies, decisions = of("_conversations_figures"), of("_replies_figures"), of("_decisions_figures")
    inferences = of("_inferences_figures")["total"]
    return [
        (gettext("Conversations"), conversations["total"]),
        (gettext("Answered by an AI assistant alone"), conversations["by_ai"]),
        (gettext("Started with AI, then handed to a person"), conversations["by_ai_then_people"]),
        (gettext("Handled by people only"), conversations["by_people"]),
        (gettext("Messages written by an AI assistant"), replies["by_ai"]),
        (gettext("Agent replies drafted by AI"), replies["drafted"]),
        (gettext("…of which a person checked before sending"), replies["drafted_and_reviewed"]),
        (gettext("Conclusions AI drew about you"), inferences),
        (gettext("Decisions AI made about you"), decisions["total"]),
        (gettext("…of which a person reviewed at your request"), decisions["reviewed"]),
    ]


registry.summary(_("AI and you"), ai_and_you)


def _customer_links(*, request: HttpRequest) -> dict[str, list[tuple[Promise, str]]]:
    return {"links": [(_("Decisions our AI made about you"), reverse("decision_list"))]}


panels.register("customer_ai_links", template_name="privacy/panels/links.html", context=_customer_links, order=10)

# Support agents get none of these: a review's own page shows the one
# conversation or decision it is about (privacy/roles.py says why).
grant_to_role(
    PRIVACY_OFFICER,
    app_label="interactions",
    codenames=["view_conversation", "view_aiinference", "view_message", "view_aidecision"],
)
