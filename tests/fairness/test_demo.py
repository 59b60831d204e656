"""`seed_demo`'s fairness population: one AI system treats German speakers worse; the others pass."""

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from fairness.models import FairnessAudit, FairnessAuditUnit
from interactions.models import AIDecision
from privacy.models import HumanReviewRequest


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seeded once for the module (it takes a while), and removed after."""
    from django.conf import settings

    with django_db_blocker.unblock():
        debug, settings.DEBUG = settings.DEBUG, True
        try:
            call_command("seed_demo", verbosity=0)
        finally:
            settings.DEBUG = debug
        yield
        call_command("flush", "--noinput", verbosity=0)


@pytest.fixture
def latest(demo, db):
    return FairnessAudit.objects.filter(status="completed").order_by("-window_end").first()


def test_the_demo_shows_a_real_alert_next_to_systems_that_pass(latest):
    verdicts: dict[str, set[str]] = {}
    for unit in FairnessAuditUnit.objects.filter(audit=latest).select_related("ai_system"):
        verdicts.setdefault(unit.ai_system.slug, set()).add(unit.verdict)
    assert "alert" in verdicts["refund-assistant"]
    assert verdicts["intent-analyser"] <= {"ok", "too_few"} and verdicts["recommender"] <= {"ok", "too_few"}
    alerting = FairnessAuditUnit.objects.filter(audit=latest, verdict="alert")
    assert {unit.attribute_set for unit in alerting} <= {
        "language",
        *(f"language+{k}" for k in ("region", "age_band", "gender", "disability")),
    }
    language = alerting.get(attribute_set="language")
    worst = language.groups.exclude(rate=None).order_by("rate").first()
    assert worst.values == ["de"] and worst.verdict == "alert"


def test_a_year_of_monthly_audits_gives_the_chart_a_history(demo, db):
    audits = FairnessAudit.objects.filter(status="completed").order_by("window_end")
    assert audits.count() == 12
    first, last = audits.first(), audits.last()
    assert first is not None and last is not None
    assert (last.window_end - first.window_end).days >= 300
    assert first.verdict != "alert"  # before version 2.3 went live


def test_background_customers_cannot_sign_in_and_the_demo_customers_have_decisions_to_contest(demo, db):
    background = User.objects.filter(email__endswith="@demo.invalid")
    assert background.count() == 3000
    assert not any(user.has_usable_password() for user in background[:50])
    assert not background.filter(emailaddress__verified=True).exists()
    for email in ("alice@example.com", "bob@example.com", "charlie@example.com"):
        assert AIDecision.objects.filter(customer__email=email).exists()
    assert HumanReviewRequest.objects.filter(result="changed").exists()  # overturned decisions, for the audits


@pytest.mark.postgresql
def test_the_freshly_loaded_tables_are_analysed_before_the_first_audit_is_planned(demo, db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s) AND last_analyze IS NULL",
            [[AIDecision._meta.db_table, User._meta.db_table]],
        )
        assert cursor.fetchall() == []
