"""A quarter of the staff desk's history at known weeks, for the compliance dashboard's tests.

Choices are written through the real services at past moments (the clock is
the one thing set back), so the ledger, the current preferences and the audit
trail agree as they would in production. Requests, reviews and flags carry
their dates in plain fields, as the desk's own tests write them.
"""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from unittest import mock

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import User
from interactions.models import Conversation
from privacy import services
from privacy.models import (
    AIOutputFlag,
    AIPurpose,
    AISystem,
    ConsentMethod,
    HumanReviewRequest,
    PrivacyRequest,
    PurposeSlug,
)
from privacy.selectors import Week, dashboard_weeks
from tests.conftest import make_customer
from tests.factories import AISystemFactory, ConversationFactory


@contextlib.contextmanager
def clock_at(when: datetime) -> Iterator[None]:
    """Django's clock reads `when`: services and auto_now_add stamp what they write with it."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def thursday(weeks: list[Week], k: int) -> datetime:
    """The middle of week k (for k < 11: in the past, whatever the day today)."""
    return weeks[k].start + timedelta(days=3, hours=12)


@dataclass
class Quarter:
    weeks: list[Week]
    customers: list[User]
    late_joiner: User
    system: AISystem


def seed_quarter() -> Quarter:
    """The story the tests check, week by week (0 is the oldest of 12, 11 the current one):

    Choices: c0 switches the chat assistant off in week 2 and on again in week 7; c1 off in
    week 4; c3 opts in to AI training in week 5 and asks for "always a person" in week 9;
    c2 asks for "always a person" in week 6, switches the chat assistant off in week 9 and
    gives up "always a person" in week 10; c4, who joined in week 6, opts in to training in
    week 8.

    Requests: r1 opened week 1, closed on time week 3; r2 opened week 2, due week 4, closed
    late week 6; r3 opened week 5, denied on time week 7; r4 opened week 8, due week 9, still
    open; r5 opened week 9 and failed; r6 opened before the quarter, due before it, cancelled
    (late) in week 1; r7 long done before the quarter.

    Reviews and flags for one AI system: two reviews in week 3, one review and one flag in week 10.
    """
    now = timezone.now()
    weeks = dashboard_weeks(now)
    long_ago = now - timedelta(days=400)
    c0, c1, c2, c3 = customers = [make_customer(f"c{i}@example.com", date_joined=long_ago) for i in range(4)]
    c4 = make_customer("c4@example.com", date_joined=thursday(weeks, 6) - timedelta(hours=1))
    make_customer("staff@example.com", is_staff=True, date_joined=long_ago)  # staff are not customers
    chat = AIPurpose.objects.get(slug=PurposeSlug.AI_CHAT_ASSISTANT)
    training = AIPurpose.objects.get(slug=PurposeSlug.AI_TRAINING)
    portal = ConsentMethod.PORTAL
    choices = [
        (2, lambda: services.preference_set(user=c0, purpose=chat, allowed=False, method=portal)),
        (4, lambda: services.preference_set(user=c1, purpose=chat, allowed=False, method=portal)),
        (5, lambda: services.preference_set(user=c3, purpose=training, allowed=True, method=portal)),
        (6, lambda: services.always_human_set(user=c2, enabled=True, method=portal)),
        (7, lambda: services.preference_set(user=c0, purpose=chat, allowed=True, method=portal)),
        (8, lambda: services.preference_set(user=c4, purpose=training, allowed=True, method=portal)),
        (9, lambda: services.always_human_set(user=c3, enabled=True, method=portal)),
        (9, lambda: services.preference_set(user=c2, purpose=chat, allowed=False, method=portal)),
        (10, lambda: services.always_human_set(user=c2, enabled=False, method=portal)),
    ]
    for index, (week, choose) in enumerate(choices):
        with clock_at(thursday(weeks, week) + timedelta(minutes=index)):
            assert choose(), "every choice in the story changes something"

    def request(user: User, kind: str, status: str, submitted: datetime, due: datetime, finished=None) -> None:
        PrivacyRequest.objects.create(
            kind=kind,
            status=status,
            user=user,
            subject_ref="x",
            submitted_at=submitted,
            due_at=due,
            finished_at=finished,
        )

    day = timedelta(days=1)
    request(c0, "export", "completed", thursday(weeks, 1), thursday(weeks, 1) + 30 * day, thursday(weeks, 3))
    request(c1, "export", "completed", thursday(weeks, 2), thursday(weeks, 4), thursday(weeks, 6))
    request(c2, "erasure", "denied", thursday(weeks, 5), thursday(weeks, 7), thursday(weeks, 7) - timedelta(hours=1))
    request(c0, "erasure", "awaiting_approval", thursday(weeks, 8), thursday(weeks, 9))
    request(c1, "export", "failed", thursday(weeks, 9), thursday(weeks, 10))
    request(c3, "erasure", "cancelled", weeks[0].start - 40 * day, weeks[0].start - 10 * day, thursday(weeks, 1))
    request(c3, "export", "expired", now - 200 * day, now - 170 * day, now - 150 * day)

    system = AISystemFactory.create(slug="chat-assistant", name="Chat assistant")
    conversation = ConversationFactory.create(customer=c0, ai_system=system)
    content_type = ContentType.objects.get_for_model(Conversation)
    for user, week in ((c0, 3), (c1, 3), (c2, 10)):
        review = HumanReviewRequest.objects.create(
            user=user,
            content_type=content_type,
            object_id=conversation.pk,
            ai_system=system,
            statement="x",
            status="answered",
            due_at=thursday(weeks, week) + 14 * day,
        )
        HumanReviewRequest.objects.filter(pk=review.pk).update(created_at=thursday(weeks, week))
    flag = AIOutputFlag.objects.create(
        user=c1, content_type=content_type, object_id=conversation.pk, ai_system=system, reason="unfair"
    )
    AIOutputFlag.objects.filter(pk=flag.pk).update(created_at=thursday(weeks, 10))
    return Quarter(weeks=weeks, customers=customers, late_joiner=c4, system=system)
