"""The six uses of AI a customer can switch, with version 1 of their notices.

Staff edit the texts in the admin afterwards (each edit is a new version); the
business's systems refer to purposes by these slugs.
"""

from typing import Any

from privacy.models import AIPurpose, AIPurposeNotice, PurposeSlug

PURPOSES = [
    {
        "slug": PurposeSlug.AI_CHAT_ASSISTANT,
        "name": "AI chat assistant answers first",
        "description": "When you write to us in chat or a messaging app, our AI assistant answers first and hands you to a person when needed. Switched off, a person answers you (it may take longer).",
        "data_used": "The messages you send us, and your order history.",
        "legal_basis": "legitimate_interests",
        "gpc_applies": False,
        "display_order": 10,
    },
    {
        "slug": PurposeSlug.AI_DRAFTED_REPLIES,
        "name": "AI-drafted replies to my messages",
        "description": "An AI suggests a draft answer to your e-mails and messages; one of our agents checks and edits it before it is sent. Switched off, agents write every word themselves.",
        "data_used": "The messages you send us.",
        "legal_basis": "legitimate_interests",
        "gpc_applies": False,
        "display_order": 20,
    },
    {
        "slug": PurposeSlug.SENTIMENT_INTENT_ANALYSIS,
        "name": "Sentiment and intent analysis of my messages",
        "description": "An AI reads your messages to tell what you need and how you feel, so urgent or unhappy customers are answered first. Switched off, your messages are queued in order of arrival.",
        "data_used": "The messages you send us.",
        "legal_basis": "legitimate_interests",
        "gpc_applies": False,
        "display_order": 30,
    },
    {
        "slug": PurposeSlug.PERSONALISED_RECOMMENDATIONS,
        "name": "Personalised recommendations",
        "description": "An AI suggests products and help articles based on your conversations and the customer segment it places you in. Switched off, you see the same suggestions as everyone else.",
        "data_used": "Your conversations, your purchases, and the segment our AI places you in.",
        "legal_basis": "legitimate_interests",
        "gpc_applies": True,
        "display_order": 40,
    },
    {
        "slug": PurposeSlug.AUTOMATED_DECISIONS,
        "name": "Automated decisions about me, without a person",
        "description": "An AI may decide some requests on its own — for example small refunds or whether an offer applies to you — so you get an answer at once. Switched off (the default), a person makes every such decision.",
        "data_used": "Your request, your order history and your account details.",
        "legal_basis": "consent",
        "gpc_applies": False,
        "display_order": 50,
    },
    {
        "slug": PurposeSlug.AI_TRAINING,
        "name": "Use of my conversations to train or improve AI",
        "description": "Your conversations, with names and contact details removed, help us train and improve our AI systems. Switched off (the default), they are never used for that.",
        "data_used": "Your conversations with us, de-identified.",
        "legal_basis": "consent",
        "gpc_applies": True,
        "display_order": 60,
    },
]


def notice_for(purpose: dict[str, Any]) -> str:
    basis = (
        "We rely on our legitimate interest in serving you quickly and well; you can object at any time by switching it off."
        if purpose["legal_basis"] == "legitimate_interests"
        else "We do this only with your consent, which you can give or withdraw at any time."
    )
    return f"{purpose['description']} Data used: {purpose['data_used']} {basis}"


def ensure_default_purposes(**kwargs: Any) -> None:
    """Create any of the six purposes that is missing (never changes existing ones).

    Connected to post_migrate, like Django's own content types and
    permissions: a fresh database, and a test database after each flush, get
    them without a fixture. Staff retire a purpose by unticking "active".
    """
    for data in PURPOSES:
        purpose, created = AIPurpose.objects.get_or_create(
            slug=data["slug"], defaults={**data, "notice_text": notice_for(data), "notice_version": 1}
        )
        if created:
            AIPurposeNotice.objects.create(purpose=purpose, version=1, text=purpose.notice_text)
