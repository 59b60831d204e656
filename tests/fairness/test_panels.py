"""Where people see the audits: the public page, the staff dashboard's chart, and the drill-down from an alert."""

import html
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import strip_tags

from fairness.models import FairnessAudit
from interactions.models import AIDecision
from privacy.models import AuditEvent
from tests.conftest import make_customer
from tests.fairness.conftest import customers, decide, run_audit, unit_of


@pytest.fixture(autouse=True)
def no_mfa_in_these_tests(settings):
    settings.PORTAL_STAFF_REQUIRE_MFA = False  # the MFA gate has tests of its own


def staff(email, group):
    user = make_customer(email, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def history(refund_assistant, offers_engine):
    """Three monthly audits; the refund assistant grows unfair to German speakers."""
    english, german = customers(15, recorded={"language": "en"}), customers(15, recorded={"language": "de"})
    for system in (refund_assistant, offers_engine):
        decide(english, system, favourable=80, unfavourable=20, days_ago=5)
        decide(
            german,
            system,
            favourable=80 if system == offers_engine else 45,
            unfavourable=20 if system == offers_engine else 55,
            days_ago=5,
        )
    now = timezone.now()
    return [run_audit(window_end=now - timedelta(days=days)) for days in (60, 30, 0)]


def text_of(response) -> str:
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def test_the_public_page_shows_each_systems_latest_measured_audit(client, history, refund_assistant):
    refund_assistant.bias_audit_note = "We are retraining the model."
    refund_assistant.save()
    text = text_of(client.get("/ai/"))
    latest = history[-1]
    assert "Measured fairness Alert: a group is treated markedly worse" in text
    assert "No unfair difference found" in text  # the offers engine
    assert f"Audit of {latest.window_end:%-d %B %Y}" in text
    assert "Preferred language English: 1.00 German: 0.56 alert" in text
    assert (
        "Refund request — Preferred language: customers in the group “German” get a favourable decision "
        "0.56 times as often as the most favoured group."
    ) in text
    assert "Our note on its audits: We are retraining the model." in text


def test_the_public_page_reads_every_audit_figure_in_a_fixed_number_of_queries(client, history):
    with CaptureQueriesContext(connection) as queries:
        client.get("/ai/")
    assert len(queries) <= 8


def test_the_staff_dashboard_shows_status_a_chart_over_time_and_links_alerts_to_their_groups(
    client, history, refund_assistant
):
    client.force_login(staff("officer@example.com", "Privacy officer"))
    response = client.get("/admin/privacy/privacyrequest/dashboard/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<svg class="fairness-chart"') == 2 and 'role="img"' in page
    assert "Lowest impact ratio per attribute over time: Refund assistant" in page
    alert = unit_of(history[-1], refund_assistant)
    assert f'href="/admin/fairness/fairnessauditunit/{alert.pk}/change/"' in page
    assert "Run an audit now" in page
    drill_down = text_of(client.get(f"/admin/fairness/fairnessauditunit/{alert.pk}/change/"))
    assert "German Alert 100 0.450" in drill_down and "English OK 100 0.800" in drill_down
    assert "Favourable rate per group" in drill_down


def test_a_support_agent_sees_neither_the_audits_nor_the_run_button(client, history, refund_assistant):
    client.force_login(staff("agent@example.com", "Support agent"))
    unit = unit_of(history[-1], refund_assistant)
    assert client.get(f"/admin/fairness/fairnessauditunit/{unit.pk}/change/").status_code == 403
    assert client.post("/admin/fairness/fairnessaudit/run/").status_code == 403
    assert FairnessAudit.objects.count() == 3


def test_staff_run_an_audit_on_demand_and_the_trail_names_who(client, history, django_capture_on_commit_callbacks):
    officer = staff("officer@example.com", "Privacy officer")
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/fairness/fairnessaudit/run/")
    assert response.status_code == 302
    audit = FairnessAudit.objects.order_by("-pk").first()
    assert audit is not None
    assert (audit.trigger, audit.status) == ("staff", "completed")
    assert AuditEvent.objects.get(action="fairness.audit_requested", object_id=str(audit.pk)).actor_id == officer.pk
    assert client.get("/admin/fairness/fairnessaudit/run/").status_code == 405


def test_the_audit_records_cannot_be_added_changed_or_deleted_in_the_admin(client, history):
    client.force_login(make_customer("root@example.com", is_staff=True, is_superuser=True))
    audit = history[-1]
    assert client.get("/admin/fairness/fairnessaudit/add/").status_code == 403
    assert client.post(f"/admin/fairness/fairnessaudit/{audit.pk}/delete/").status_code == 403
    page = text_of(client.get(f"/admin/fairness/fairnessaudit/{audit.pk}/change/"))
    assert audit.results_sha256 in page and "Refund request" in page


def test_the_customer_dashboard_links_to_decisions_and_the_fairness_page(alice_client):
    page = alice_client.get("/dashboard/").content.decode()
    assert 'href="/decisions/"' in page and 'href="/fairness/"' in page


def test_a_second_click_on_run_does_not_queue_a_second_audit(client, history):
    client.force_login(staff("officer@example.com", "Privacy officer"))
    client.post("/admin/fairness/fairnessaudit/run/")  # queued: no on-commit callbacks run here
    response = client.post("/admin/fairness/fairnessaudit/run/", follow=True)
    assert FairnessAudit.objects.filter(status="queued").count() == 1
    assert "is already queued" in response.content.decode()


@pytest.fixture
def audit_in_words(refund_assistant, offers_engine):
    """An audit over every kind of group label: languages, regions, age bands, genders and "not given"."""
    english = customers(
        15, recorded={"language": "en", "region": "north"}, volunteered={"age_band": "under_25", "gender": "woman"}
    )
    german = customers(15, recorded={"language": "de", "region": "south"})
    decide(english, refund_assistant, favourable=80, unfavourable=20)
    decide(german, refund_assistant, favourable=45, unfavourable=55)
    for people in (english, german):
        decide(people, offers_engine, favourable=80, unfavourable=20, kind="offer_eligibility")
    AIDecision.objects.filter(kind="offer_eligibility").update(kind_label="Loyalty offer")
    return run_audit()


def reader(client, language):
    client.force_login(make_customer(f"reader-{language}@example.com", preferred_language=language))
    return text_of(client.get("/ai/"))


def test_a_german_customer_reads_the_measured_fairness_in_german(client, audit_in_words, refund_assistant):
    text = reader(client, "de")
    assert "Erstattungsantrag" in text and "Treueangebot" in text
    assert "Deutsch: 0,56" in text and "Englisch: 1,00" in text
    assert "Unter 25" in text and "Frau" in text and "Nicht angegeben" in text and "Nord" in text and "Süd" in text
    assert (
        "Erstattungsantrag — Bevorzugte Sprache: Kundinnen und Kunden in der Gruppe „Deutsch“ erhalten 0,56-mal"
    ) in text
    for english in ("Refund request", "Loyalty offer", "Not given", "Woman", "Under 25", "North", "German"):
        assert english not in text
    # Only the words shown change: the audit keeps its codes and English labels.
    unit = unit_of(audit_in_words, refund_assistant)
    assert unit.decision_kind_label == "Refund request"
    assert sorted(group.label for group in unit.groups.all()) == ["English", "German"]


def test_a_spanish_customer_reads_the_measured_fairness_in_spanish(client, audit_in_words):
    text = reader(client, "es")
    assert "Solicitud de reembolso" in text and "Oferta de fidelidad" in text
    assert "Menos de 25" in text and "Norte" in text and "Alemán: 0,56" in text
    assert "Refund request" not in text and "Not given" not in text and "Woman" not in text


def test_an_english_customer_still_reads_the_english_labels(client, audit_in_words):
    text = reader(client, "en")
    assert "Refund request" in text and "Loyalty offer" in text
    assert "Under 25" in text and "Woman" in text and "Not given" in text and "North" in text
    assert "German: 0.56" in text
    assert "Refund request — Preferred language: customers in the group “German” get a favourable decision" in text


def test_a_kind_the_business_named_in_its_own_words_keeps_them(client, refund_assistant):
    people = customers(15, recorded={"language": "en"})
    decide(people, refund_assistant, favourable=80, unfavourable=20)
    AIDecision.objects.update(kind_label="Refund for a damaged parcel")
    run_audit()
    assert "Refund for a damaged parcel" in reader(client, "de")
