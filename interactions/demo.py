"""A year of realistic customer-service history for the demo customers."""

import random
from datetime import timedelta

from django.utils import timezone

from accounts.demo import DEMO_PEOPLE
from accounts.models import User
from interactions import services
from interactions.models import AIDecision, AIInference, Conversation, Message
from privacy import services as privacy_services
from privacy.demo import demo_seeder
from privacy.models import AIOutputFlag, AIPurpose, AISystem, ConsentMethod, HumanReviewRequest, PurposeSlug
from privacy.registry import registry

CONVERSATIONS_PER_CUSTOMER = 36

# (subject, what the customer writes, intent)
TOPICS = [
    (
        "Where is my order?",
        "Hi, my order {order} was due on Tuesday and hasn't arrived. Can you check where it is?",
        "delivery_status",
    ),
    (
        "Refund for a damaged item",
        "The blender in order {order} arrived with a cracked jug. I'd like a refund please.",
        "refund_request",
    ),
    (
        "Change delivery address",
        "Can I still change the delivery address for order {order}? I'll be at work that day.",
        "address_change",
    ),
    (
        "Subscription renewal",
        "My subscription renewed without a reminder. Can I cancel and get the money back?",
        "cancel_subscription",
    ),
    ("Size exchange", "The jacket from order {order} is too small. How do I exchange it for a large?", "exchange"),
    (
        "Invoice copy",
        "Could you send me a copy of the invoice for order {order}? I need it for my expenses.",
        "invoice_request",
    ),
    (
        "Discount code not working",
        "The code SPRING15 says it's invalid at checkout. It's in your newsletter from yesterday.",
        "promo_issue",
    ),
    ("Account locked", "I keep getting 'too many attempts' when I sign in. Can you help?", "account_access"),
]
AI_ANSWERS = [
    "Thanks for getting in touch! I've looked up order {order}: it's with the courier and should arrive within two working days. Here's the tracking link in your account.",
    "I'm sorry about that. I've opened a request for our team, and a colleague will confirm the refund for order {order} shortly.",
    "Yes, you can change it until the parcel is dispatched. I've updated the address on order {order} — you'll get a confirmation e-mail.",
    "I can help with that. You'll find the invoice for order {order} under Orders in your account; I've also e-mailed you a copy.",
]
AGENT_ANSWERS = [
    "Hello, this is Sam from customer service. I've processed the refund for order {order}; it will reach your card in 3–5 working days.",
    "Hi, Priya here. I've arranged the exchange for order {order} — a courier will collect the jacket on Thursday.",
    "Thanks for your patience. I've reset the sign-in limit on your account; please try again and let me know if it works.",
    "Sorry for the trouble with the code. I've applied the 15% discount to your basket manually.",
]
SENTIMENTS = ["positive", "neutral", "negative", "frustrated"]
SEGMENTS = ["loyal regular", "new customer", "bargain hunter", "premium"]


def _seed_customer(user: User, systems: dict[str, AISystem], rng: random.Random) -> int:
    now = timezone.now()
    channels = list(Conversation.Channel)
    handled = (
        [Conversation.HandledBy.AI] * 4
        + [Conversation.HandledBy.AI_THEN_HUMAN] * 3
        + [Conversation.HandledBy.HUMAN] * 3
    )
    messages: list[Message] = []
    inferences: list[AIInference] = []
    for index in range(CONVERSATIONS_PER_CUSTOMER):
        subject, opener, intent = rng.choice(TOPICS)
        order = f"#{rng.randint(100000, 999999)}"
        started = now - timedelta(days=rng.randint(1, 364), minutes=rng.randint(0, 1440))
        handled_by = rng.choice(handled)
        uses_ai = handled_by != Conversation.HandledBy.HUMAN
        conversation = Conversation.objects.create(
            customer=user,
            external_id=f"demo-{user.pk}-{index}",
            channel=rng.choice(channels),
            subject=subject,
            handled_by=handled_by,
            ai_system=systems["chat-assistant"] if uses_ai else None,
            started_at=started,
            ended_at=started + timedelta(minutes=rng.randint(3, 90)),
        )
        at = started
        messages.append(
            Message(
                conversation=conversation, sender=Message.Sender.CUSTOMER, body=opener.format(order=order), sent_at=at
            )
        )
        for turn in range(rng.randint(1, 4)):
            at += timedelta(minutes=rng.randint(1, 15))
            if uses_ai and (handled_by == Conversation.HandledBy.AI or turn == 0):
                messages.append(
                    Message(
                        conversation=conversation,
                        sender=Message.Sender.AI,
                        body=rng.choice(AI_ANSWERS).format(order=order),
                        sent_at=at,
                        ai_system=systems["chat-assistant"],
                    )
                )
            else:
                drafted = rng.random() < 0.6
                messages.append(
                    Message(
                        conversation=conversation,
                        sender=Message.Sender.AGENT,
                        body=rng.choice(AGENT_ANSWERS).format(order=order),
                        sent_at=at,
                        ai_drafted=drafted,
                        human_reviewed=drafted and rng.random() < 0.85,
                        ai_system=systems["reply-drafter"] if drafted else None,
                    )
                )
            at += timedelta(minutes=rng.randint(1, 30))
            messages.append(
                Message(
                    conversation=conversation,
                    sender=Message.Sender.CUSTOMER,
                    body=rng.choice(
                        [
                            "Thanks!",
                            "Great, thank you.",
                            "That's not what I asked.",
                            "OK, I'll wait.",
                            "Perfect, that works.",
                        ]
                    ),
                    sent_at=at,
                )
            )
        if uses_ai or rng.random() < 0.5:
            inferences.append(
                AIInference(
                    customer=user,
                    ai_system=systems["intent-analyser"],
                    kind=AIInference.Kind.INTENT,
                    value=intent,
                    confidence=round(rng.uniform(0.6, 0.99), 2),
                    inferred_at=started + timedelta(seconds=30),
                    conversation=conversation,
                    external_id=f"demo-{user.pk}-{index}-intent",
                )
            )
            inferences.append(
                AIInference(
                    customer=user,
                    ai_system=systems["intent-analyser"],
                    kind=AIInference.Kind.SENTIMENT,
                    value=rng.choice(SENTIMENTS),
                    confidence=round(rng.uniform(0.5, 0.95), 2),
                    inferred_at=started + timedelta(seconds=31),
                    conversation=conversation,
                    external_id=f"demo-{user.pk}-{index}-sentiment",
                )
            )
    for month in range(0, 12, 3):
        inferences.append(
            AIInference(
                customer=user,
                ai_system=systems["recommender"],
                kind=AIInference.Kind.SEGMENT,
                value=rng.choice(SEGMENTS),
                confidence=round(rng.uniform(0.55, 0.9), 2),
                inferred_at=now - timedelta(days=30 * month + 2),
                external_id=f"demo-{user.pk}-segment-{month}",
            )
        )
    inferences.append(
        AIInference(
            customer=user,
            ai_system=systems["intent-analyser"],
            kind=AIInference.Kind.CHURN_RISK,
            value=rng.choice(["low", "medium", "high"]),
            confidence=round(rng.uniform(0.5, 0.9), 2),
            inferred_at=now - timedelta(days=5),
            external_id=f"demo-{user.pk}-churn",
        )
    )
    Message.objects.bulk_create(messages)
    AIInference.objects.bulk_create(inferences)
    return CONVERSATIONS_PER_CUSTOMER


@demo_seeder(order=30)
def seed_interaction_history() -> list[str]:
    systems = {system.slug: system for system in AISystem.objects.all()}
    created = 0
    for person in DEMO_PEOPLE:
        if person.is_staff:
            continue
        user = User.objects.get(email=person.email)
        if Conversation.objects.filter(customer=user, external_id__startswith="demo-").exists():
            continue  # seeded before: keep the history as it is
        # Seeded by address, so every machine gets the same demo history.
        created += _seed_customer(user, systems, random.Random(person.email))
    return [
        f"  {created} new demo conversations with messages and AI inferences."
        if created
        else "  Demo conversation history already present."
    ]


# --- Decisions our AI made about the demo customers ---------------------------

# (days ago, system, purpose, kind, kind label, outcome, label, model version, reasons)
DemoDecision = tuple[int, str, PurposeSlug, str, str, str, str, str, list[tuple[str, float | None]]]
DEMO_DECISIONS: dict[str, list[DemoDecision]] = {
    "alice@example.com": [
        (
            6,
            "refund-assistant",
            PurposeSlug.AUTOMATED_DECISIONS,
            "refund_request",
            "Refund request",
            "unfavourable",
            "Refund declined",
            "2.3",
            [
                ("The courier confirmed the parcel was delivered and signed for.", 0.55),
                ("The request came 34 days after delivery; automatic refunds are for the first 30 days.", 0.3),
                ("Refunds on this order's item are limited to faulty goods.", 0.15),
            ],
        ),
        (
            12,
            "intent-analyser",
            PurposeSlug.SENTIMENT_INTENT_ANALYSIS,
            "request_priority",
            "Priority of your request",
            "favourable",
            "Answered in turn, or sooner",
            "TextSense Classify 5",
            [("Your message asked about a delivery that is late.", None), ("It did not mention an urgent need.", None)],
        ),
        (
            41,
            "recommender",
            PurposeSlug.AUTOMATED_DECISIONS,
            "offer_eligibility",
            "Loyalty offer",
            "favourable",
            "Offer applies to you",
            "Recs 4",
            [
                ("You have ordered at least twice in the past year.", 0.7),
                ("Your account is older than six months.", 0.3),
            ],
        ),
    ],
    "bob@example.com": [
        (
            3,
            "recommender",
            PurposeSlug.AUTOMATED_DECISIONS,
            "offer_eligibility",
            "Loyalty offer",
            "unfavourable",
            "Offer does not apply",
            "Recs 4",
            [
                ("You have ordered once in the past year; the offer needs two orders.", 0.8),
                ("Your account is older than six months.", 0.2),
            ],
        ),
        (
            20,
            "refund-assistant",
            PurposeSlug.AUTOMATED_DECISIONS,
            "refund_request",
            "Refund request",
            "favourable",
            "Refund approved",
            "2.3",
            [
                ("The item was reported damaged within 30 days of delivery.", 0.6),
                ("The amount is under our 150 euro limit for automatic refunds.", 0.4),
            ],
        ),
    ],
    "charlie@example.com": [
        (
            2,
            "refund-assistant",
            PurposeSlug.AUTOMATED_DECISIONS,
            "refund_request",
            "Refund request",
            "unfavourable",
            "Refund declined",
            "2.3",
            [
                ("The request came 31 days after delivery; automatic refunds are for the first 30 days.", 0.6),
                ("You have asked for three refunds in the past year.", 0.4),
            ],
        ),
    ],
}


@demo_seeder(order=35)
def seed_decisions() -> list[str]:
    """A few decisions for Alice, Bob and Charlie to read and contest (Alice and Bob allowed automated decisions)."""
    created = 0
    now = timezone.now()
    systems = {system.slug: system for system in AISystem.objects.all()}
    purposes = {purpose.slug: purpose for purpose in AIPurpose.objects.all()}
    for email, decisions in DEMO_DECISIONS.items():
        user = User.objects.get(email=email)
        if AIDecision.objects.filter(customer=user, external_id__startswith="demo-").exists():
            continue
        if email != "charlie@example.com":
            privacy_services.preference_set(
                user=user, purpose=purposes[PurposeSlug.AUTOMATED_DECISIONS], allowed=True, method=ConsentMethod.PORTAL
            )
        for index, (days, system, purpose, kind, kind_label, outcome, label, version, reasons) in enumerate(decisions):
            services.decision_record(
                client=None,
                customer=user,
                data={
                    "external_id": f"demo-{user.pk}-decision-{index}",
                    "ai_system": systems[system],
                    "purpose": purposes[purpose],
                    "kind": kind,
                    "kind_label": kind_label,
                    "outcome": outcome,
                    "outcome_label": label,
                    "model_version": version,
                    "confidence": 0.8 + index / 50,
                    "decided_at": now - timedelta(days=days, hours=3),
                    "human_involved": False,
                    "reasons": [{"text": text, "weight": weight} for text, weight in reasons],
                },
            )
            created += 1
    if not created:
        return ["  Demo AI decisions already present."]
    return [f"  {created} AI decisions with their reasons for Alice, Bob and Charlie to read and contest."]


@demo_seeder(order=51)
def seed_review_and_flag() -> list[str]:
    """Bob asks a person to review a conversation and flags an AI answer, so the desk has work."""
    bob = User.objects.filter(email="bob@example.com").first()
    if bob is None or HumanReviewRequest.objects.filter(user=bob).exists():
        return []
    conversations = registry.source("interactions.conversation")
    handled_by_ai = Conversation.objects.filter(customer=bob).exclude(ai_system=None).first()
    if handled_by_ai is not None:
        privacy_services.human_review_request(
            user=bob,
            source=conversations,
            row=handled_by_ai,
            contests_outcome=True,
            statement="The assistant refused my refund, but the parcel never arrived.",
        )
    ai_reply = Message.objects.filter(conversation__customer=bob, sender=Message.Sender.AI).first()
    if ai_reply is not None:
        privacy_services.ai_output_flag(
            user=bob,
            source=registry.source("interactions.message"),
            row=ai_reply,
            reason=AIOutputFlag.Reason.WRONG,
            comment="It gave me the wrong delivery date.",
        )
    return ["  Bob asked a person to review a conversation and flagged an AI answer."]
