from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interactions.models import Conversation
from privacy.models import (
    AIOutputFlag,
    AIPreference,
    AIPurpose,
    CustomerAISettings,
    HumanReviewRequest,
    PreferenceBreach,
    PrivacyRequest,
)
from privacy.selectors import compliance_dashboard
from tests.conftest import make_customer
from tests.factories import AISystemFactory, ConversationFactory


def request(user, kind, status, submitted_days_ago, finished_days_ago=None, due_in_days=30):
    now = timezone.now()
    return PrivacyRequest.objects.create(
        kind=kind,
        status=status,
        user=user,
        subject_ref="x",
        submitted_at=now - timedelta(days=submitted_days_ago),
        due_at=now + timedelta(days=due_in_days),
        finished_at=now - timedelta(days=finished_days_ago) if finished_days_ago is not None else None,
    )


@pytest.fixture
def data_set(db):
    customers = [make_customer(f"c{i}@example.com") for i in range(4)]  # 4 customers
    make_customer("staff@example.com", is_staff=True)  # staff are not customers
    c0, c1, c2, c3 = customers
    # Completed: durations 2, 4, 10 days (in the last 30 days) and 20 days (finished 60 days ago).
    request(c0, "export", "completed", submitted_days_ago=5, finished_days_ago=3)
    request(c1, "export", "completed", submitted_days_ago=10, finished_days_ago=6)
    request(c2, "export", "completed", submitted_days_ago=20, finished_days_ago=10)
    request(c3, "export", "completed", submitted_days_ago=80, finished_days_ago=60)
    # An export whose archive has since expired was completed too: 6 days (finished 20 days ago).
    request(c3, "export", "expired", submitted_days_ago=26, finished_days_ago=20)
    # Open: two erasures awaiting approval (one overdue) and one export approved.
    request(c0, "erasure", "awaiting_approval", submitted_days_ago=40, due_in_days=-10)
    request(c1, "erasure", "awaiting_approval", submitted_days_ago=1)
    request(c2, "export", "approved", submitted_days_ago=1)
    # Opt-outs: chat assistant off for c0 and c1; c2 chose "always a person".
    chat = AIPurpose.objects.get(slug="ai-chat-assistant")
    for c in (c0, c1):
        AIPreference.objects.create(
            user=c, purpose=chat, allowed=False, method="portal", notice_version=1, changed_at=timezone.now()
        )
    AIPreference.objects.create(
        user=c3, purpose=chat, allowed=True, method="portal", notice_version=1, changed_at=timezone.now()
    )
    CustomerAISettings.objects.create(user=c2, always_human=True)
    # Reviews and flags for one AI system.
    bot = AISystemFactory.create(slug="chat-assistant", name="Chat assistant")
    conversation = ConversationFactory.create(customer=c0, ai_system=bot)
    ct = ContentType.objects.get_for_model(Conversation)
    for status, contested in (("open", True), ("answered", False), ("answered", True)):
        HumanReviewRequest.objects.create(
            user=c0,
            content_type=ct,
            object_id=conversation.pk,
            ai_system=bot,
            statement="x",
            status=status,
            contests_outcome=contested,
            due_at=timezone.now() - timedelta(days=1),
        )
    AIOutputFlag.objects.create(user=c1, content_type=ct, object_id=conversation.pk, ai_system=bot, reason="unfair")
    PreferenceBreach.objects.create(user=c0, purpose=chat, reason="choice", content_type=ct, object_id=conversation.pk)
    return customers


def test_the_figures_match_the_hand_computed_values(data_set):
    figures = compliance_dashboard()
    open_counts = {(r["kind"], r["status"]): r["n"] for r in figures["open_by_kind_status"]}
    assert open_counts == {("erasure", "awaiting_approval"): 2, ("export", "approved"): 1}
    assert figures["overdue"] == 1
    assert figures["median_days_30"] == pytest.approx(5)  # durations 2, 4, 6, 10
    assert figures["median_days_90"] == pytest.approx(6)  # durations 2, 4, 6, 10, 20
    assert figures["customers"] == 4
    chat = next(row for row in figures["opt_out"] if row["purpose"].slug == "ai-chat-assistant")
    assert (chat["customers_off"], chat["rate"], chat["breaches"]) == (3, 0.75, 1)  # c0, c1, and c2 (always a person)
    training = next(row for row in figures["opt_out"] if row["purpose"].slug == "ai-training")
    assert training["customers_off"] == 1  # only "always a person"; the default is off but not a choice
    bot = next(row for row in figures["systems"] if row["system"].slug == "chat-assistant")
    assert (
        bot["reviews"]["total"],
        bot["reviews"]["open"],
        bot["reviews"]["answered"],
        bot["reviews"]["contested"],
        bot["reviews"]["overdue"],
        bot["flags"],
    ) == (3, 1, 2, 2, 1, 1)
    assert figures["breaches_total"] == 1


def test_the_number_of_queries_is_bounded(data_set):
    with CaptureQueriesContext(connection) as few:
        compliance_dashboard()
    for i in range(20):
        make_customer(f"more{i}@example.com")
        request(data_set[0], "export", "completed", submitted_days_ago=3, finished_days_ago=1)
    with CaptureQueriesContext(connection) as many:
        compliance_dashboard()
    assert len(many) == len(few) <= 15


def test_the_dashboard_page_needs_its_permission(client, settings, data_set):
    from django.contrib.auth.models import Group

    settings.PORTAL_STAFF_REQUIRE_MFA = False
    agent = make_customer("agent@example.com", is_staff=True)
    agent.groups.add(Group.objects.get(name="Support agent"))
    client.force_login(agent)
    assert client.get("/admin/privacy/privacyrequest/dashboard/").status_code == 403
    officer = make_customer("officer@example.com", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    client.force_login(officer)
    page = client.get("/admin/privacy/privacyrequest/dashboard/").content.decode()
    assert "Compliance dashboard" in page and 'id="overdue">1<' in page and "75%" in page
