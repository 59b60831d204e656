"""Demo data: each app contributes a seeder in its own demo.py.

`manage.py seed_demo` discovers them (like admin.py) and runs them in order,
so privacy never imports the apps whose data it seeds.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from privacy import services
from privacy.models import AIPurpose, AISystem, ConsentMethod, PurposeSlug, StaffGuidelines

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
    for _, seeder in sorted(dict.fromkeys(_SEEDERS), key=lambda item: item[0]):
        lines += seeder()
    return lines


DEMO_AI_SYSTEMS = [
    {
        "slug": "chat-assistant",
        "name": "Chat assistant",
        "provider": "In-house, on a hosted large language model",
        "model_name": "Support LLM v3 (fine-tuned)",
        "description": "Answers your questions in web chat and messaging apps, day and night, and hands you to a person when it cannot help or when you ask.",
        "data_categories": ["user.content.private", "user.behavior"],
        "decisions": "None on its own: it answers questions and can open a ticket. It never decides refunds or exceptions.",
        "human_oversight": "Agents read a sample of conversations every day; typing 'agent' or 'human' reaches a person at once.",
        "contact": "ai-governance@example.com",
    },
    {
        "slug": "reply-drafter",
        "name": "Reply drafter",
        "provider": "In-house",
        "model_name": "Draft-assist 2.1",
        "description": "Suggests a draft answer to our agents for your e-mails and messages. An agent edits and sends it.",
        "data_categories": ["user.content.private"],
        "decisions": "None: every draft is reviewed by an agent before it is sent.",
        "human_oversight": "Drafts are never sent automatically; agents mark a draft as checked before it goes out.",
        "contact": "ai-governance@example.com",
    },
    {
        "slug": "intent-analyser",
        "name": "Sentiment and intent analyser",
        "provider": "Vendor: TextSense Ltd.",
        "model_name": "TextSense Classify 5",
        "description": "Reads your messages to tell what you need (for example a refund or a delivery question) and how you feel, so urgent and unhappy customers are answered first.",
        "data_categories": ["user.content.private"],
        "decisions": "Sets the priority of your request in our queue.",
        "human_oversight": "Team leads review priority settings weekly; you can contest any conclusion.",
        "contact": "ai-governance@example.com",
    },
    {
        "slug": "refund-assistant",
        "name": "Refund assistant",
        "provider": "In-house",
        "model_name": "Refunds 2.3",
        "description": "Decides small refund and return requests at once, from what you tell us and how you contacted us about your order, and explains why.",
        "data_categories": ["user.content.private", "user.behavior"],
        "decisions": "Approves or declines refunds up to 150 euros when you have allowed automated decisions; larger ones always go to a person.",
        "human_oversight": "Any decision can be reviewed by a person at your request; team leads check a sample every week.",
        "bias_audit_note": "Since version 2.3 (July) German-speaking customers' refunds are approved less often. We are retraining the model, and until then a person checks every declined refund in German.",
        "contact": "ai-governance@example.com",
    },
    {
        "slug": "recommender",
        "name": "Recommendation engine",
        "provider": "In-house",
        "model_name": "Recs 4",
        "description": "Suggests products and help articles based on your conversations and segment.",
        "data_categories": ["user.behavior", "user.demographic.profile"],
        "decisions": "Chooses which suggestions you see, and whether an offer applies to you.",
        "human_oversight": "Merchandising staff review the rules monthly.",
        "contact": "ai-governance@example.com",
    },
]


@demo_seeder(order=20)
def seed_ai_systems() -> list[str]:
    for card in DEMO_AI_SYSTEMS:
        AISystem.objects.update_or_create(
            slug=card["slug"],
            defaults={**card, "is_active": True},
        )
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


DEMO_GUIDELINES = """1. A person reviews every AI outcome a customer contests, and can overturn it.
2. We decide privacy requests on their merits, within the legal deadline; a refusal always states its reason.
3. We never use a customer's data for an AI purpose they switched off.
4. We look at AI flags and human-review outcomes per AI system every week, and act on patterns of unfairness.
5. We never download a customer's export, and never copy personal data out of the admin."""


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
