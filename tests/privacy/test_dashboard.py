import random
import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from interactions.models import Conversation
from privacy import services
from privacy.models import (
    AIOutputFlag,
    AIPreference,
    AIPurpose,
    ConsentEvent,
    ConsentMethod,
    CustomerAISettings,
    HumanReviewRequest,
    PreferenceBreach,
    PrivacyRequest,
)
from privacy.selectors import compliance_dashboard, dashboard_weeks
from tests.conftest import make_customer
from tests.dashboard_history import clock_at, seed_quarter, thursday
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


# --- the weekly figures, from a quarter of history (tests/dashboard_history.py tells the story) ---


@pytest.fixture
def quarter(db):
    return seed_quarter()


def row_of(figures, slug):
    return next(row for row in figures["opt_out"] if row["purpose"].slug == slug)


def test_requests_are_counted_per_week_as_opened_closed_on_time_or_late_and_open_past_their_deadline(quarter):
    figures = compliance_dashboard()
    assert figures["requests_by_week"] == {
        "opened": [0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0],
        "on_time": [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0],
        "late": [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
        # r6 at the end of week 0; r2 in weeks 4 and 5; r4 from week 9 on (the failed r5 is not open).
        "past_due": [1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1],
    }
    assert figures["overdue"] == figures["requests_by_week"]["past_due"][-1] == 1


def test_the_opt_out_rate_of_a_purpose_on_by_default_is_read_from_the_ledger_at_each_weeks_end(quarter):
    chat = row_of(compliance_dashboard(), "ai-chat-assistant")
    assert chat["measure"] == "opt-out"
    # c0 weeks 2-6; c1 from week 4; c2 ("always a person") from week 6, and by choice from week 9 on;
    # c3 ("always a person") from week 9.
    assert chat["counts_by_week"] == [0, 0, 1, 1, 2, 2, 3, 2, 2, 3, 3, 3]
    # Four customers until c4 joined in week 6; staff never count.
    assert compliance_dashboard()["customers_by_week"] == [4] * 6 + [5] * 6
    assert chat["rates_by_week"] == pytest.approx([0, 0, 0.25, 0.25, 0.5, 0.5, 0.6, 0.4, 0.4, 0.6, 0.6, 0.6])
    assert (chat["customers_off"], chat["count"], chat["rate"]) == (3, 3, pytest.approx(0.6))


def test_a_purpose_off_by_default_reports_its_opt_in_rate_and_always_a_person_overrides_an_opt_in(quarter):
    training = row_of(compliance_dashboard(), "ai-training")
    assert training["measure"] == "opt-in"
    # c3 from week 5 until "always a person" in week 9; c4 from week 8.
    assert training["counts_by_week"] == [0, 0, 0, 0, 0, 1, 1, 1, 2, 1, 1, 1]
    assert training["rates_by_week"] == pytest.approx([0, 0, 0, 0, 0, 0.25, 0.2, 0.2, 0.4, 0.2, 0.2, 0.2])
    assert (training["customers_opted_in"], training["count"], training["rate"]) == (1, 1, pytest.approx(0.2))


def test_always_a_person_counts_as_an_opt_out_of_every_purpose_on_by_default(quarter):
    drafts = row_of(compliance_dashboard(), "ai-drafted-replies")
    # c2 weeks 6-9, c3 from week 9.
    assert drafts["counts_by_week"] == [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 1, 1]


def replay_the_ledger(weeks, purpose, customers):
    """The test's oracle: each customer's state at each week's end, replayed from every ledger event."""
    ledger = list(ConsentEvent.objects.order_by("created_at", "pk"))  # read once, replayed in Python
    counts = []
    for week in weeks:
        count = 0
        for customer in customers:
            if customer.date_joined > week.at:
                continue
            events = [e for e in ledger if e.user_id == customer.pk and e.created_at <= week.at]
            always_human = [e.granted for e in events if e.kind == "always_human"][-1:] == [True]
            last = [e.granted for e in events if e.purpose_id == purpose.pk][-1:]
            chose = bool(last) and last[0] != purpose.default_allowed
            count += (chose and not always_human) if not purpose.default_allowed else (chose or always_human)
        counts.append(count)
    return counts


def test_the_weekly_counts_agree_with_a_replay_of_the_whole_ledger(db):
    """Random choices by twelve customers over the quarter, walked back from today, against the ledger replayed."""
    rng = random.Random(14)
    weeks = dashboard_weeks(timezone.now())
    customers = [
        make_customer(f"r{i}@example.com", date_joined=weeks[rng.randrange(0, 8)].start - timedelta(days=1))
        for i in range(12)
    ]
    purposes = list(AIPurpose.objects.filter(is_active=True))
    moments = sorted(
        (weeks[rng.randrange(0, 11)].start + timedelta(minutes=rng.randrange(7 * 24 * 60)), i) for i in range(150)
    )
    for when, _ in moments:
        customer = rng.choice(customers)
        if when < customer.date_joined:
            continue
        with clock_at(when):
            if rng.random() < 0.2:
                services.always_human_set(user=customer, enabled=rng.random() < 0.5, method=ConsentMethod.PORTAL)
            else:
                purpose = rng.choice(purposes)
                method = rng.choice([ConsentMethod.PORTAL, ConsentMethod.API, ConsentMethod.GPC])
                services.preference_set(user=customer, purpose=purpose, allowed=rng.random() < 0.5, method=method)
    figures = compliance_dashboard()
    assert [week.start for week in figures["weeks"]] == [week.start for week in weeks]
    assert ConsentEvent.objects.count() > 50
    for purpose in purposes:
        expected = replay_the_ledger(figures["weeks"], purpose, customers)
        assert row_of(figures, purpose.slug)["counts_by_week"] == expected, purpose.slug


def test_reviews_and_flags_are_counted_per_ai_system_and_week(quarter):
    bot = next(row for row in compliance_dashboard()["systems"] if row["system"] == quarter.system)
    assert bot["reviews_by_week"] == [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0]
    assert bot["flags_by_week"] == [0] * 10 + [1, 0]
    assert (bot["reviews"]["total"], bot["reviews"]["answered"], bot["flags"]) == (3, 3, 1)


def grow(quarter, times):
    """More of everything: customers, choices, requests, reviews and flags."""
    weeks, system = quarter.weeks, quarter.system
    chat = AIPurpose.objects.get(slug="ai-chat-assistant")
    conversation = ConversationFactory.create(customer=quarter.customers[0], ai_system=system)
    ct = ContentType.objects.get_for_model(Conversation)
    for i in range(times):
        customer = make_customer(f"grown{i}-{User.objects.count()}@example.com")
        with clock_at(thursday(weeks, i % 11)):
            services.preference_set(user=customer, purpose=chat, allowed=False, method=ConsentMethod.PORTAL)
            services.always_human_set(user=customer, enabled=True, method=ConsentMethod.PORTAL)
        request(customer, "export", "completed", submitted_days_ago=3 + i, finished_days_ago=1)
        request(customer, "erasure", "awaiting_approval", submitted_days_ago=40, due_in_days=-10)
        HumanReviewRequest.objects.create(
            user=customer,
            content_type=ct,
            object_id=conversation.pk,
            ai_system=system,
            statement="x",
            due_at=timezone.now(),
        )
        AIOutputFlag.objects.create(
            user=customer, content_type=ct, object_id=conversation.pk, ai_system=system, reason="wrong"
        )


def test_the_number_of_queries_stays_the_same_as_every_kind_of_row_grows(quarter):
    with CaptureQueriesContext(connection) as few:
        compliance_dashboard()
    grow(quarter, 15)
    with CaptureQueriesContext(connection) as many:
        figures = compliance_dashboard()
    assert figures["customers"] == 5 + 15
    reads = [query for query in many if query["sql"].startswith("SELECT")]
    assert len(many) == len(few) and len(reads) == 12


def test_no_query_loads_rows_to_be_counted_in_python(quarter):
    """Each query is an aggregate, a short list (purposes, AI systems), or a LIMITed slice (the medians)."""
    grow(quarter, 3)
    with CaptureQueriesContext(connection) as queries:
        compliance_dashboard()
    for query in queries:
        sql = query["sql"]
        if not sql.startswith("SELECT"):
            assert sql.startswith(("SAVEPOINT", "SET LOCAL jit", "RELEASE SAVEPOINT")), sql  # PostgreSQL only
            continue
        short_list = re.fullmatch(
            r'SELECT [^()]* FROM "privacy_(aipurpose|aisystem)"( WHERE [^()]*)?( ORDER BY .*)?', sql
        )
        assert "COUNT(" in sql or " LIMIT " in sql or short_list, sql


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture
def officer_client(db, client, settings):
    from django.contrib.auth.models import Group

    settings.PORTAL_STAFF_REQUIRE_MFA = False  # the MFA gate has tests of its own
    officer = make_customer("officer@example.com", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    client.force_login(officer)
    return client


def test_a_staff_member_without_the_dashboard_permission_is_refused(client, settings, quarter):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    client.force_login(make_customer("clerk@example.com", is_staff=True))  # staff, in no group
    assert client.get("/admin/privacy/privacyrequest/dashboard/").status_code == 403


def test_each_chart_is_an_image_named_by_its_title_with_a_key_and_its_figures_in_a_table(officer_client, quarter):
    page = re.sub(r">\s+<", "><", officer_client.get("/admin/privacy/privacyrequest/dashboard/").content.decode())
    # Requests; opt-out and opt-in rates; one AI system with reviews (the others are named as quiet).
    charts = re.findall(r'<svg class="chart" [^>]*role="img" aria-labelledby="([^" ]+)-t \1-d"', page)
    assert len(charts) == 4
    for chart in charts:
        assert f'<title id="{chart}-t">' in page and f'<desc id="{chart}-d">' in page
    assert page.count('<ul class="chart-legend">') == page.count('<details class="chart-figures">') == 4
    assert "Opt-in rate per use of AI" in page and "Opt-out rate per use of AI" in page
    # This week's opt-in to training, in the opt-in chart's table: c4 of five customers.
    assert '<th scope="row">Use of conversations to train AI</th><td>Opted in (off by default)</td>' in page
    assert "<td>20% (1)</td>" in page


def test_a_small_rate_is_not_shown_as_0_percent(officer_client, data_set):
    """One customer in 400 is 0.25%, not "0%" (Django's widthratio rounded it away)."""
    User.objects.bulk_create(User(email=f"bulk{i}@example.com", password="!") for i in range(396))
    CustomerAISettings.objects.filter(always_human=True).delete()
    AIPreference.objects.filter(user=data_set[1]).delete()  # c0 alone has switched the chat assistant off
    page = officer_client.get("/admin/privacy/privacyrequest/dashboard/").content.decode()
    row = re.search(r"<tr>\s*<t[hd][^>]*>AI chat assistant answers first</t[hd]>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    assert "0.25%" in cells and "0%" not in cells, cells
