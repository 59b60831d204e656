"""Background customers with a year of AI decisions, so the demo's audits have groups to judge.

The background customers cannot sign in (no usable password, an address at
a reserved domain, no verified e-mail). In their data, the refund assistant
approves fewer refunds for German-speaking customers since its version 2.3
went live five months ago; the other AI systems treat every group alike. A
year of monthly audits is then run, so the dashboard has a history to chart.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F
from django.utils import timezone

from fairness import services
from fairness.models import FairnessAudit, MonitoringConsent, RecordedAttribute, VolunteeredAttribute
from interactions.models import AIDecision
from privacy.demo import demo_seeder
from privacy.models import (
    AIPreference,
    AIPurpose,
    AISystem,
    ConsentEvent,
    ConsentMethod,
    HumanReviewRequest,
    PurposeSlug,
)

BACKGROUND_DOMAIN = "demo.invalid"
SEED = 20261130
# The refund assistant's version 2.3, live since this many days, is the one that treats German speakers worse.
BIASED_SINCE_DAYS = 150
HISTORY_MONTHS = 12

LANGUAGES = (("en", 0.45), ("de", 0.25), ("es", 0.18), ("fr", 0.12))
REGIONS = (("north", 0.3), ("south", 0.25), ("east", 0.2), ("west", 0.25))
AGE_BANDS = (("under_25", 0.14), ("25_34", 0.22), ("35_44", 0.22), ("45_54", 0.18), ("55_64", 0.14), ("65_plus", 0.10))
GENDERS = (("woman", 0.48), ("man", 0.48), ("non_binary", 0.03), ("self_described", 0.01))

# (system, purpose, kind, kind label, decisions per customer per year, favourable label, unfavourable label)
KindSpec = tuple[str, str, str, str, int, str, str]
KINDS: tuple[KindSpec, ...] = (
    (
        "refund-assistant",
        PurposeSlug.AUTOMATED_DECISIONS,
        "refund_request",
        "Refund request",
        5,
        "Refund approved",
        "Refund declined",
    ),
    (
        "intent-analyser",
        PurposeSlug.SENTIMENT_INTENT_ANALYSIS,
        "request_priority",
        "Priority of your request",
        6,
        "Answered in turn, or sooner",
        "Moved back in the queue",
    ),
    (
        "recommender",
        PurposeSlug.AUTOMATED_DECISIONS,
        "offer_eligibility",
        "Loyalty offer",
        3,
        "Offer applies to you",
        "Offer does not apply",
    ),
)
REASONS = {
    ("refund_request", "favourable"): [
        "The item was reported damaged within 30 days of delivery.",
        "The amount is under our 150 euro limit for automatic refunds.",
    ],
    ("refund_request", "unfavourable"): [
        "The courier confirmed the parcel was delivered and signed for.",
        "The request came more than 30 days after delivery.",
    ],
    ("refund_request", "neutral"): ["The item can be repaired: a repair or store credit was offered instead."],
    ("request_priority", "favourable"): ["Your message asked about an order that is late."],
    ("request_priority", "unfavourable"): ["A similar question was answered for you this week."],
    ("offer_eligibility", "favourable"): ["You have ordered at least twice in the past year."],
    ("offer_eligibility", "unfavourable"): ["You have ordered once in the past year; the offer needs two orders."],
}


# Per background customer: (language, age band), and their value of every attribute, in the order of ATTRIBUTES.
Profiles = dict[int, tuple[str, str]]
Groups = dict[int, tuple[str, ...]]


def _choose(rng: np.random.Generator, weighted: Sequence[tuple[str, float]], size: int) -> np.ndarray:
    values, weights = zip(*weighted, strict=True)
    return rng.choice(values, size=size, p=np.array(weights) / sum(weights))


def _favourable_rate(kind: str, language: str, age_band: str, biased_model: bool) -> float:
    if kind == "refund_request":
        return 0.62 if language == "de" and biased_model else 0.88
    if kind == "offer_eligibility":
        return 0.89 if age_band == "65_plus" else 0.90
    return 0.93


def _population(count: int, now: datetime) -> list[int]:
    User = get_user_model()
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                email=f"customer-{n:05d}@{BACKGROUND_DOMAIN}", password=unusable, date_joined=now - timedelta(days=730)
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    return list(
        User.objects.filter(email__endswith=f"@{BACKGROUND_DOMAIN}").order_by("pk").values_list("pk", flat=True)
    )


def _attributes(rng: np.random.Generator, customer_ids: list[int], now: datetime) -> tuple[Profiles, Groups]:
    n = len(customer_ids)
    languages, regions = _choose(rng, LANGUAGES, n), _choose(rng, REGIONS, n)
    ages, genders = _choose(rng, AGE_BANDS, n), _choose(rng, GENDERS, n)
    age_recorded = rng.random(n) < 0.7
    volunteers = rng.random(n) < 0.35
    disabled = rng.random(n) < 0.12
    recorded: list[RecordedAttribute] = []
    volunteered: list[VolunteeredAttribute] = []
    consents: list[MonitoringConsent] = []
    profile: Profiles = {}
    groups: Groups = {}
    for i, customer_id in enumerate(customer_ids):
        recorded += [
            RecordedAttribute(customer_id=customer_id, attribute="language", value=languages[i]),
            RecordedAttribute(customer_id=customer_id, attribute="region", value=regions[i]),
        ]
        if age_recorded[i]:
            recorded.append(RecordedAttribute(customer_id=customer_id, attribute="age_band", value=ages[i]))
        if volunteers[i]:
            consents.append(
                MonitoringConsent(customer_id=customer_id, granted=True, notice_version=services.CONSENT_NOTICE_VERSION)
            )
            volunteered += [
                VolunteeredAttribute(customer_id=customer_id, attribute="gender", value=genders[i]),
                VolunteeredAttribute(customer_id=customer_id, attribute="age_band", value=ages[i]),
                VolunteeredAttribute(
                    customer_id=customer_id, attribute="disability", value="yes" if disabled[i] else "no"
                ),
            ]
        profile[customer_id] = (str(languages[i]), str(ages[i]))
        # Every attribute the audits group by, as it will count (volunteered first).
        groups[customer_id] = (
            str(languages[i]),
            str(regions[i]),
            str(ages[i]) if volunteers[i] or age_recorded[i] else "",
            str(genders[i]) if volunteers[i] else "",
            ("yes" if disabled[i] else "no") if volunteers[i] else "",
        )
    RecordedAttribute.objects.bulk_create(recorded, batch_size=5000)
    VolunteeredAttribute.objects.bulk_create(volunteered, batch_size=5000)
    MonitoringConsent.objects.bulk_create(consents, batch_size=5000)
    return profile, groups


def _consents_to_automated_decisions(customer_ids: list[int], now: datetime) -> None:
    purpose = AIPurpose.objects.get(slug=PurposeSlug.AUTOMATED_DECISIONS)
    AIPreference.objects.bulk_create(
        [
            AIPreference(
                user_id=pk,
                purpose=purpose,
                allowed=True,
                method=ConsentMethod.PORTAL,
                notice_version=purpose.notice_version,
                changed_at=now - timedelta(days=400),
            )
            for pk in customer_ids
        ],
        batch_size=5000,
    )
    ConsentEvent.objects.bulk_create(
        [
            ConsentEvent(
                user_id=pk,
                purpose=purpose,
                granted=True,
                method=ConsentMethod.PORTAL,
                notice_version=purpose.notice_version,
                # When their preference says they chose: the ledger and the choice agree.
                created_at=now - timedelta(days=400),
            )
            for pk in customer_ids
        ],
        batch_size=5000,
    )


def _decisions(rng: np.random.Generator, profile: Profiles, groups: Groups, now: datetime) -> list[AIDecision]:
    """A year of decisions. Outcomes are dealt out by error diffusion within each group of
    customers and month, rather than drawn at random: every group then gets its intended
    share, and a fair system's small groups do not look unfair by chance."""
    systems = {system.slug: system.pk for system in AISystem.objects.all()}
    purposes = {purpose.slug: purpose.pk for purpose in AIPurpose.objects.all()}
    # (kind, days ago, customer, language, age band, a random number to shuffle by)
    drafts: list[tuple[KindSpec, float, int, str, str, float]] = []
    for customer_id, (language, age_band) in profile.items():
        for kind_spec in KINDS:
            for days in rng.random(rng.poisson(kind_spec[4])) * 365:
                drafts.append((kind_spec, float(days), customer_id, language, age_band, float(rng.random())))
    # Same kind, month, and customer profile together; random order within.
    drafts.sort(key=lambda d: (d[0][2], int(d[1] // 30), groups[d[2]], d[5]))
    neutral_share, favourable_share = 0.0, 0.0
    decisions = []
    for (
        system,
        purpose,
        kind,
        kind_label,
        _per_year,
        yes_label,
        no_label,
    ), days, customer_id, language, age_band, _ in drafts:
        biased_model = days < BIASED_SINCE_DAYS
        neutral_share += 0.05 if kind == "refund_request" else 0.0
        if neutral_share >= 1:
            neutral_share -= 1
            outcome, label = "neutral", "Store credit offered"
        else:
            favourable_share += _favourable_rate(kind, language, age_band, biased_model)
            if favourable_share >= 1:
                favourable_share -= 1
                outcome, label = "favourable", yes_label
            else:
                outcome, label = "unfavourable", no_label
        version = ("2.3" if biased_model else "2.2") if kind == "refund_request" else "1"
        decisions.append(
            AIDecision(
                customer_id=customer_id,
                ai_system_id=systems[system],
                purpose_id=purposes[purpose],
                kind=kind,
                kind_label=kind_label,
                outcome=outcome,
                outcome_label=label,
                model_version=version,
                confidence=round(float(rng.uniform(0.6, 0.98)), 2),
                decided_at=now - timedelta(days=days),
                human_involved=bool(rng.random() < 0.05),
                reasons=[{"text": text, "weight": None} for text in REASONS[(kind, outcome)]],
            )
        )
    AIDecision.objects.bulk_create(decisions, batch_size=2000)
    return decisions


def _reviews(rng: np.random.Generator, decisions: list[AIDecision], profile: Profiles, now: datetime) -> int:
    """Some customers contested a declined refund; people changed more of the German speakers' since 2.3."""
    content_type = ContentType.objects.get_for_model(AIDecision)
    reviews: list[HumanReviewRequest] = []
    reviewed: list[AIDecision] = []
    for decision in decisions:
        if decision.kind != "refund_request" or decision.outcome != "unfavourable":
            continue
        biased = profile[decision.customer_id][0] == "de" and decision.model_version == "2.3"
        if rng.random() >= (0.3 if biased else 0.1):
            continue
        changed = rng.random() < (0.5 if biased else 0.15)
        answered_at = decision.decided_at + timedelta(days=3)
        decision.review_result = "changed" if changed else "upheld"
        decision.reviewed_at = answered_at
        decision.final_outcome = "favourable" if changed else ""
        decision.final_outcome_label = "Refund approved" if changed else ""
        reviewed.append(decision)
        reviews.append(
            HumanReviewRequest(
                user_id=decision.customer_id,
                content_type=content_type,
                object_id=decision.pk,
                ai_system_id=decision.ai_system_id,
                statement="",
                contests_outcome=True,
                status=HumanReviewRequest.Status.ANSWERED,
                due_at=decision.decided_at + timedelta(days=14),
                answer="A person checked the delivery record and your order.",
                result=decision.review_result,
                new_outcome=decision.final_outcome,
                new_outcome_label=decision.final_outcome_label,
                answered_at=answered_at,
            )
        )
    AIDecision.objects.bulk_update(
        reviewed, ["review_result", "reviewed_at", "final_outcome", "final_outcome_label"], batch_size=2000
    )
    created = HumanReviewRequest.objects.bulk_create(reviews, batch_size=2000)
    # Asked the day after the decision (created_at is set on insert).
    HumanReviewRequest.objects.filter(pk__in=[r.pk for r in created]).update(
        created_at=F("answered_at") - timedelta(days=2)
    )
    return len(reviews)


def _refresh_planner_statistics() -> None:
    """PostgreSQL plans the audit's one GROUP BY from table statistics, which
    autovacuum refreshes only a while after a bulk load. Planned on the empty
    tables' figures, the count over 40,000 fresh decisions took minutes instead
    of seconds in test runs; ANALYZE the tables just filled so the first audits are planned
    on what they hold."""
    if connection.vendor != "postgresql":
        return
    models = (get_user_model(), RecordedAttribute, VolunteeredAttribute, MonitoringConsent, AIDecision)
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _history_of_audits(now: datetime) -> int:
    """Monthly audits over the past year, oldest first, as the schedule would have run them."""
    for months_ago in range(HISTORY_MONTHS - 1, -1, -1):
        audit = services.fairness_audit_request(
            trigger=FairnessAudit.Trigger.SCHEDULE, window_end=now - timedelta(days=30 * months_ago), enqueue=False
        )
        claimed = services.fairness_audit_claim(audit_id=audit.pk, task_id=f"demo-{audit.pk}")
        assert claimed is not None  # not enqueued: no worker can have claimed it
        services.fairness_audit_execute(audit=claimed)
    return HISTORY_MONTHS


# What the business's systems recorded about the demo customers, and what Bob chose to tell.
DEMO_RECORDED = {
    "alice@example.com": {"language": "en", "region": "west"},
    "bob@example.com": {"language": "en", "region": "west", "age_band": "35_44"},
    "charlie@example.com": {"language": "de", "region": "east"},
}
DEMO_VOLUNTEERED = {"bob@example.com": {"age_band": "35_44", "gender": "man"}}


@demo_seeder(order=55)
def seed_demo_customers_attributes() -> list[str]:
    people = {user.email: user for user in get_user_model().objects.filter(email__in=DEMO_RECORDED)}
    if not people or RecordedAttribute.objects.filter(customer__in=people.values()).exists():
        return []
    for email, values in DEMO_RECORDED.items():
        services.recorded_attributes_set(client=None, customer=people[email], values=values)
    for email, answers in DEMO_VOLUNTEERED.items():
        services.volunteered_attributes_save(
            customer=people[email], answers=answers, consent=True, notice_version=services.CONSENT_NOTICE_VERSION
        )
    return ["  Monitoring attributes for the demo customers (Bob also answered the fairness questions)."]


@demo_seeder(order=60)
def seed_fairness_population() -> list[str]:
    count = settings.PORTAL_DEMO_BACKGROUND_CUSTOMERS
    if not count:
        return ["  No background customers (DEMO_BACKGROUND_CUSTOMERS=0): the fairness audits have little to judge."]
    if get_user_model().objects.filter(email__endswith=f"@{BACKGROUND_DOMAIN}").exists():
        return ["  Background customers and their fairness audits already present."]
    rng = np.random.default_rng(SEED)
    now = timezone.now()
    customer_ids = _population(count, now)
    profile, groups = _attributes(rng, customer_ids, now)
    _consents_to_automated_decisions(customer_ids, now)
    decisions = _decisions(rng, profile, groups, now)
    reviews = _reviews(rng, decisions, profile, now)
    _refresh_planner_statistics()
    audits = _history_of_audits(now) if not FairnessAudit.objects.exists() else 0
    latest = FairnessAudit.objects.filter(status=FairnessAudit.Status.COMPLETED).first()
    return [
        f"  {count} background customers (they cannot sign in) with {len(decisions)} AI decisions over a year "
        f"and {reviews} human reviews;",
        f"  {audits} monthly fairness audits; the latest: {latest.get_verdict_display().lower() if latest else '—'} "
        f"({latest.alerts if latest else 0} unit(s) in alert: the refund assistant and German-speaking customers).",
    ]
