"""Demo data: each app contributes a seeder in its own demo.py.

`manage.py seed_demo` discovers them (like admin.py) and runs them in order,
so privacy never imports the apps whose data it seeds.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from privacy import services
from privacy.models import (
    AIPreference,
    AIPurpose,
    AISystem,
    ConsentEvent,
    ConsentMethod,
    PrivacyRequest,
    PurposeSlug,
    StaffGuidelines,
)
from privacy.services.exports import FAILED_REASON as EXPORT_FAILED_REASON
from privacy.services.requests import subject_reference
from privacy.translated_text import in_every_language

# A seeder returns lines to print (sign-ins and the like).
Seeder = Callable[[], list[str]]
_SEEDERS: list[tuple[int, Seeder]] = []


def demo_seeder(order: int) -> Callable[[Seeder], Seeder]:
    def register(function: Seeder) -> Seeder:
        _SEEDERS.append((order, function))
        return function

    return register


@transaction.atomic
def run_demo_seeders() -> list[str]:
    autodiscover_modules("demo")
    lines: list[str] = []
    for _order, seeder in sorted(dict.fromkeys(_SEEDERS), key=lambda item: item[0]):
        lines += seeder()
    return lines


# The card's texts customers read, with a field per language (privacy/translation.py).
# A demo denial's reason, in every language its customer may read.
DEMO_DENIAL_REASON = _("We could not confirm it was you who asked.")
AI_SYSTEM_TEXTS = ("name", "description", "decisions", "human_oversight", "bias_audit_note")

DEMO_AI_SYSTEMS = [
    {
        "slug": "chat-assistant",
        "name": _("Chat assistant"),
        "provider": "In-house, on a hosted large language model",
        "model_name": "Support LLM v3 (fine-tuned)",
        "description": _(
            "Answers your questions in web chat and messaging apps, day and night, and hands you to a person when it cannot help or when you ask."
        ),
        "data_categories": ["user.content.private", "user.behavior"],
        "decisions": _(
            "None on its own: it answers questions and can open a ticket. It never decides refunds or exceptions."
        ),
        "human_oversight": _(
            "Agents read a sample of conversations every day; typing 'agent' or 'human' reaches a person at once."
        ),
        "contact": "ai-governance@example.com",
    },
    {
        "slug": "reply-drafter",
        "name": _("Reply drafter"),
        "provider": "In-house",
        "model_name": "Draft-assist 2.1",
        "description": _(
            "Suggests a draft answer to our agents for your e-mails and messages. An agent edits and sends it."
        ),
        "data_categories": ["user.content.private"],
        "decisions": _("None: every draft is reviewed by an agent before it is sent."),
        "human_oversight": _("Drafts are never sent automatically; agents mark a draft as checked before it goes out."),
        "contact": "ai-governance@example.com",
    },
    {
        "slug": "intent-analyser",
        "name": _("Sentiment and intent analyser"),
        "provider": "Vendor: TextSense Ltd.",
        "model_name": "TextSense Classify 5",
        "description": _(
            "Reads your messages to tell what you need (for example a refund or a delivery question) and how you feel, so urgent and unhappy customers are answered first."
        ),
        "data_categories": ["user.content.private"],
        "decisions": _("Sets the priority of your request in our queue."),
        "human_oversight": _("Team leads review priority settings weekly; you can contest any conclusion."),
        "contact": "ai-governance@example.com",
    },
    {
        "slug": "refund-assistant",
        "name": _("Refund assistant"),
        "provider": "In-house",
        "model_name": "Refunds 2.3",
        "description": _(
            "Decides small refund and return requests at once, from what you tell us and how you contacted us about your order, and explains why."
        ),
        "data_categories": ["user.content.private", "user.behavior"],
        "decisions": _(
            "Approves or declines refunds up to 150 euros when you have allowed automated decisions; larger ones always go to a person."
        ),
        "human_oversight": _(
            "Any decision can be reviewed by a person at your request; team leads check a sample every week."
        ),
        "bias_audit_note": _(
            "Since version 2.3 (July) German-speaking customers' refunds are approved less often. We are retraining the model, and until then a person checks every declined refund in German."
        ),
        "contact": "ai-governance@example.com",
    },
    {
        "slug": "recommender",
        "name": _("Recommendation engine"),
        "provider": "In-house",
        "model_name": "Recs 4",
        "description": _("Suggests products and help articles based on your conversations and segment."),
        "data_categories": ["user.behavior", "user.demographic.profile"],
        "decisions": _("Chooses which suggestions you see, and whether an offer applies to you."),
        "human_oversight": _("Merchandising staff review the rules monthly."),
        "contact": "ai-governance@example.com",
    },
]


@demo_seeder(order=20)
def seed_ai_systems() -> list[str]:
    for card in DEMO_AI_SYSTEMS:
        # The card's words in every language the catalogues have them in.
        texts: dict[str, Any] = {}
        for field, value in card.items():
            texts |= in_every_language(field, cast(StrOrPromise, value)) if field in AI_SYSTEM_TEXTS else {field: value}
        AISystem.objects.update_or_create(slug=card["slug"], defaults={**texts, "is_active": True})
    _link_purposes_to_systems()
    return [f"  {len(DEMO_AI_SYSTEMS)} AI systems with their transparency cards."]


# Which demo AI systems serve which purpose (the purposes come from a migration).
PURPOSE_SYSTEMS = {
    PurposeSlug.AI_CHAT_ASSISTANT: ["chat-assistant"],
    PurposeSlug.AI_DRAFTED_REPLIES: ["reply-drafter"],
    PurposeSlug.SENTIMENT_INTENT_ANALYSIS: ["intent-analyser"],
    PurposeSlug.PERSONALISED_RECOMMENDATIONS: ["recommender"],
    PurposeSlug.AUTOMATED_DECISIONS: ["refund-assistant", "recommender"],
    PurposeSlug.AI_TRAINING: ["chat-assistant", "reply-drafter", "intent-analyser"],
}


def _link_purposes_to_systems() -> None:
    systems = {system.slug: system for system in AISystem.objects.all()}
    for purpose in AIPurpose.objects.filter(slug__in=PURPOSE_SYSTEMS):
        purpose.ai_systems.set([systems[slug] for slug in PURPOSE_SYSTEMS[PurposeSlug(purpose.slug)]])


# Markdown, as staff write it in the admin: paragraphs, lists and emphasis.
DEMO_GUIDELINES = """These guidelines apply to everyone who answers customers or decides their requests. \
Read them before your first decision, and again whenever a new version is published.

## What we always do

1. A person reviews every AI outcome a customer contests, and **can overturn it**.
2. We decide privacy requests on their merits, within the legal deadline; a refusal always states its reason.
3. We look at AI flags and human-review outcomes per AI system every week, and act on patterns of unfairness.

## What we never do

- Use a customer's data for an AI purpose they switched off.
- Download a customer's export, or copy personal data out of the admin.

If something here is unclear, ask the privacy team before you act: a late answer can be put right, \
a wrong one often cannot."""


@demo_seeder(order=40)
def seed_guidelines() -> list[str]:
    if not StaffGuidelines.objects.exists():
        StaffGuidelines.objects.create(version=1, text=DEMO_GUIDELINES)
    return ["  Staff guidelines v1 (the officer acknowledges them in the admin before deciding)."]


@demo_seeder(order=50)
def seed_choices() -> list[str]:
    """A few choices, so the dashboard has something to show (running it again changes nothing)."""
    users = {u.email: u for u in get_user_model().objects.filter(email__in=["bob@example.com", "charlie@example.com"])}
    if len(users) < 2:
        return []
    chat = AIPurpose.objects.get(slug=PurposeSlug.AI_CHAT_ASSISTANT)
    services.preference_set(user=users["bob@example.com"], purpose=chat, allowed=False, method=ConsentMethod.PORTAL)
    services.always_human_set(user=users["charlie@example.com"], enabled=True, method=ConsentMethod.PORTAL)
    return ["  Demo choices: Bob switched the chat assistant off; Charlie wants people only."]


# The request desk's history: about twelve weeks of requests from the background
# customers, so the queue, its deadlines and the dashboard's weekly charts have
# something real to show. Written directly, as an import from an earlier system
# would be: the audit trail records what happens from here on.
DEMO_REQUEST_WEEKS = 12


def _demo_request(user_id: int, kind: str, submitted: datetime, **fields: Any) -> PrivacyRequest:
    return PrivacyRequest(
        kind=kind,
        user_id=user_id,
        subject_ref=subject_reference(user_id),
        submitted_at=submitted,
        due_at=submitted + timedelta(days=settings.PORTAL_REQUEST_DUE_DAYS),
        **fields,
    )


def _closed_demo_requests(rng: random.Random, people: list[int], now: datetime) -> list[PrivacyRequest]:
    Status = PrivacyRequest.Status
    rows = []
    for week in range(DEMO_REQUEST_WEEKS, 0, -1):
        for _request in range(rng.randint(4, 9)):
            submitted = now - timedelta(weeks=week, days=rng.uniform(0, 7))
            kind = "erasure" if rng.random() < 0.3 else "export"
            # Most are done within days; a few run past their 30-day deadline.
            took = timedelta(days=rng.choice([1, 2, 3, 5, 8, 13, 21, 34]) + rng.uniform(0, 1))
            finished = submitted + took
            if finished > now - timedelta(hours=1):
                continue
            outcome = rng.choices(["done", "denied", "cancelled"], weights=[85, 8, 7])[0]
            fields: dict[str, Any] = {"finished_at": finished, "started_at": finished - timedelta(minutes=3)}
            if outcome == "denied":
                fields |= {"status": Status.DENIED, **in_every_language("denial_reason", DEMO_DENIAL_REASON)}
            elif outcome == "cancelled":
                fields |= {"status": Status.CANCELLED, "started_at": None}
            elif kind == "export":
                # Archives are kept for a week, then expire.
                expired = finished < now - timedelta(days=settings.PORTAL_EXPORT_RETENTION_DAYS)
                fields["status"] = Status.EXPIRED if expired else Status.COMPLETED
            else:
                fields |= {"status": Status.COMPLETED, "subject_erased_at": finished}
            rows.append(_demo_request(people.pop(), kind, submitted, **fields))
    return rows


def _open_demo_requests(people: list[int], now: datetime) -> list[PrivacyRequest]:
    """Open requests waiting for staff: one overdue, some due soon, the rest on track."""
    Status = PrivacyRequest.Status
    due_days = settings.PORTAL_REQUEST_DUE_DAYS
    grace = timedelta(days=settings.PORTAL_ERASURE_GRACE_DAYS)
    rows = []
    for age_days, kind in ((due_days + 3, "erasure"), (due_days - 4, "erasure"), (due_days - 6, "export"),
                           (9, "erasure"), (2, "erasure"), (1, "export")):  # fmt: skip
        submitted = now - timedelta(days=age_days, hours=2)
        rows.append(
            _demo_request(
                people.pop(),
                kind,
                submitted,
                status=Status.AWAITING_APPROVAL,
                scheduled_for=submitted + grace if kind == "erasure" else None,
            )
        )
    failed_at = now - timedelta(days=2)
    rows.append(
        _demo_request(
            people.pop(),
            "export",
            now - timedelta(days=3),
            status=Status.FAILED,
            started_at=failed_at,
            finished_at=failed_at,
            attempts=3,
            failure_reason=EXPORT_FAILED_REASON,  # what the job writes, translated on the page
            failure_detail="ConnectionError",
        )
    )
    return rows


@demo_seeder(order=70)
def seed_request_history() -> list[str]:
    if PrivacyRequest.objects.exists():
        return ["  Privacy requests already present."]
    # Only customers who cannot sign in (the background population): the demo
    # people's own request pages stay empty for you to try.
    people = list(
        get_user_model()
        .objects.filter(is_staff=False, password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)[:400]
    )
    if len(people) < 200:
        return []
    rng = random.Random(14)
    now = timezone.now()
    rows = _closed_demo_requests(rng, people, now) + _open_demo_requests(people, now)
    PrivacyRequest.objects.bulk_create(rows)
    return [f"  {len(rows)} privacy requests over {DEMO_REQUEST_WEEKS} weeks; 7 wait for staff, one of them overdue."]


# Share of the background customers who changed each AI use in the last
# twelve weeks, so the dashboard's choice charts show a trend: opting out of
# uses that are on by default, opting in to the one that is off.
DEMO_CHOICE_SHARES = {
    PurposeSlug.AI_CHAT_ASSISTANT: (False, 0.06),
    PurposeSlug.AI_DRAFTED_REPLIES: (False, 0.02),
    PurposeSlug.SENTIMENT_INTENT_ANALYSIS: (False, 0.04),
    PurposeSlug.PERSONALISED_RECOMMENDATIONS: (False, 0.08),
    PurposeSlug.AI_TRAINING: (True, 0.05),
}


@demo_seeder(order=75)
def seed_choice_history() -> list[str]:
    people = list(
        get_user_model()
        .objects.filter(is_staff=False, password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    purposes = {p.slug: p for p in AIPurpose.objects.filter(slug__in=DEMO_CHOICE_SHARES)}
    if (
        len(people) < 200
        or AIPreference.objects.filter(user_id__in=people[:1000], purpose__in=purposes.values()).exists()
    ):
        return []
    rng = random.Random(15)
    now = timezone.now()
    preferences, events = [], []
    for slug, (allowed, share) in DEMO_CHOICE_SHARES.items():
        purpose = purposes[slug]
        for user_id in rng.sample(people, int(len(people) * share)):
            # More of them lately: the chart climbs week by week.
            when = now - timedelta(days=84 * (1 - rng.random() ** 0.7), hours=rng.uniform(0, 24))
            fields = {"user_id": user_id, "purpose": purpose, "allowed": allowed, "method": ConsentMethod.PORTAL}
            preferences.append(AIPreference(**fields, notice_version=purpose.notice_version, changed_at=when))
            event = {"user_id": user_id, "purpose": purpose, "granted": allowed, "method": ConsentMethod.PORTAL}
            events.append(ConsentEvent(**event, notice_version=purpose.notice_version, created_at=when))
    AIPreference.objects.bulk_create(preferences, batch_size=2000)
    ConsentEvent.objects.bulk_create(events, batch_size=2000)
    return [f"  {len(events)} AI choices by background customers over the last 12 weeks."]
