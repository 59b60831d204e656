"""Running a fairness audit: verdicts, alerts, storage that cannot be edited, the audit trail and the job's rules."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fairness import services
from fairness.counting import count_cells
from fairness.models import FairnessAudit, FairnessAuditGroup, FairnessAuditUnit
from fairness.tasks import run_fairness_audit, schedule_fairness_audit, sweep_stuck_fairness_audits
from privacy.models import AppendOnlyError, AuditEvent
from tests.fairness.conftest import customers, decide, group_of, run_audit, unit_of


def plant(system, *, german_favourable: int, english_favourable: int = 80, per_group: int = 100):
    """English and German speakers, 20 customers each, `per_group` decisions per group."""
    english, german = customers(20, recorded={"language": "en"}), customers(20, recorded={"language": "de"})
    decide(english, system, favourable=english_favourable, unfavourable=per_group - english_favourable)
    decide(german, system, favourable=german_favourable, unfavourable=per_group - german_favourable)


def test_an_alert_fires_on_a_planted_disparity_and_not_on_a_fair_system_of_the_same_size(
    refund_assistant, offers_engine, mailoutbox, django_capture_on_commit_callbacks, settings
):
    plant(refund_assistant, german_favourable=50)  # 0.50 against 0.80: impact ratio 0.625
    plant(offers_engine, german_favourable=80)  # alike
    with django_capture_on_commit_callbacks(execute=True):
        audit = run_audit()
    unfair, fair = unit_of(audit, refund_assistant), unit_of(audit, offers_engine)
    assert unfair.verdict == "alert" and group_of(unfair, "de").verdict == "alert"
    assert group_of(unfair, "de").impact_ratio == pytest.approx(0.625)
    assert group_of(unfair, "de").p_value < 0.05
    assert fair.verdict == "ok" and {g.verdict for g in fair.groups.all()} == {"ok"}
    alerting = FairnessAuditUnit.objects.filter(audit=audit, verdict="alert")
    # Language alone, and language crossed with each other (not given) attribute.
    assert audit.verdict == "alert" and audit.alerts == alerting.count() == 5
    assert {unit.ai_system for unit in alerting} == {refund_assistant}
    (alert,) = mailoutbox
    assert set(alert.to) == {*settings.PORTAL_PRIVACY_TEAM_EMAILS, "refunds-ai@example.com"}
    assert "Refund assistant" in alert.subject and "Offers engine" not in alert.body
    assert "German: impact ratio 0.63" in alert.body and "p < 0.0001" in alert.body
    assert f"/admin/fairness/fairnessauditunit/{unfair.pk}/change/" in alert.body


def test_a_standing_alert_is_not_e_mailed_again(refund_assistant, mailoutbox, django_capture_on_commit_callbacks):
    plant(refund_assistant, german_favourable=50)
    with django_capture_on_commit_callbacks(execute=True):
        run_audit(window_end=timezone.now() - timedelta(days=1))
        run_audit()
    assert len(mailoutbox) == 1


def test_an_impact_ratio_below_the_threshold_without_significance_is_only_watched(refund_assistant):
    english, german = customers(12, recorded={"language": "en"}), customers(12, recorded={"language": "de"})
    decide(english, refund_assistant, favourable=27, unfavourable=3)  # 0.90
    decide(german, refund_assistant, favourable=21, unfavourable=9)  # 0.70: ratio 0.78, but only 30 decisions
    unit = unit_of(run_audit(), refund_assistant)
    german_group = group_of(unit, "de")
    assert german_group.impact_ratio < 0.8 and german_group.p_value >= 0.05
    assert german_group.verdict == "watch" and unit.verdict == "watch"


def test_thresholds_come_from_the_settings_and_are_stored_with_the_audit(refund_assistant, settings):
    settings.PORTAL_FAIRNESS_ALERT_RATIO = 0.5
    settings.PORTAL_FAIRNESS_WATCH_RATIO = 0.55
    plant(refund_assistant, german_favourable=50)
    audit = run_audit()
    assert audit.alert_ratio == 0.5
    assert unit_of(audit, refund_assistant).verdict == "ok"  # 0.625 is above an alert ratio of 0.5


def test_only_the_window_is_counted(refund_assistant, settings):
    settings.PORTAL_FAIRNESS_WINDOW_DAYS = 30
    english = customers(20, recorded={"language": "en"})
    decide(english, refund_assistant, favourable=40, unfavourable=0, days_ago=10)
    decide(english, refund_assistant, favourable=0, unfavourable=40, days_ago=45)
    group = group_of(unit_of(run_audit(), refund_assistant), "en")
    assert (group.decisions, group.rate) == (40, 1.0)


def test_counting_is_one_query_whatever_the_number_of_decisions(refund_assistant):
    plant(refund_assistant, german_favourable=20, english_favourable=30, per_group=40)
    now = timezone.now()
    with CaptureQueriesContext(connection) as few:
        count_cells(window_start=now - timedelta(days=90), window_end=now)
    plant(refund_assistant, german_favourable=500, english_favourable=700, per_group=900)
    with CaptureQueriesContext(connection) as many:
        cells = count_cells(window_start=now - timedelta(days=90), window_end=now)
    assert len(few.captured_queries) == len(many.captured_queries) == 1
    assert "GROUP BY" in many.captured_queries[0]["sql"]
    assert sum(cell.counts.decisions for cell in cells) == 2 * 40 + 2 * 900


def test_a_stored_audit_cannot_be_edited_and_its_digest_is_in_the_audit_trail(refund_assistant):
    plant(refund_assistant, german_favourable=50)
    audit = run_audit()
    group = FairnessAuditGroup.objects.filter(unit__audit=audit).exclude(rate=None).first()
    assert group is not None
    group.rate = 1.0
    with pytest.raises(AppendOnlyError):
        group.save()
    with pytest.raises(AppendOnlyError):
        FairnessAuditUnit.objects.filter(audit=audit).update(verdict="ok")
    with pytest.raises(AppendOnlyError):
        FairnessAuditGroup.objects.filter(unit__audit=audit).delete()
    event = AuditEvent.objects.get(action="fairness.audit_completed", object_id=str(audit.pk))
    assert event.details["results_sha256"] == audit.results_sha256 and len(audit.results_sha256) == 64
    assert event.details["verdict"] == "alert"


def test_it_stores_aggregates_only_never_who_is_in_a_group(refund_assistant):
    plant(refund_assistant, german_favourable=50)
    run_audit()
    stored_columns = {
        f.name for model in (FairnessAudit, FairnessAuditUnit, FairnessAuditGroup) for f in model._meta.get_fields()
    }
    assert not {"customer", "customer_id", "user", "customers"} & stored_columns


def test_intersections_of_two_attributes_are_audited(refund_assistant):
    english = customers(20, recorded={"language": "en", "region": "north"})
    german = customers(20, recorded={"language": "de", "region": "north"})
    decide(english, refund_assistant, favourable=80, unfavourable=20)
    decide(german, refund_assistant, favourable=50, unfavourable=50)
    unit = unit_of(run_audit(), refund_assistant, "language+region")
    assert group_of(unit, "de", "north").label == "German · North"
    assert unit.verdict == "alert"


def test_the_scheduled_task_runs_an_audit_on_the_worker(refund_assistant, django_capture_on_commit_callbacks):
    plant(refund_assistant, german_favourable=80)
    with django_capture_on_commit_callbacks(execute=True):
        audit_id = schedule_fairness_audit()
    assert audit_id is not None
    audit = FairnessAudit.objects.get(pk=audit_id)
    assert (audit.trigger, audit.status, audit.verdict) == ("schedule", "completed", "ok")
    assert AuditEvent.objects.filter(action="fairness.audit_requested", object_id=str(audit_id)).exists()


def test_the_beat_schedule_runs_audits_and_the_sweeper(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"fairness.tasks.schedule_fairness_audit", "fairness.tasks.sweep_stuck_fairness_audits"} <= tasks
    assert settings.CELERY_TASK_ROUTES["fairness.tasks.run_fairness_audit"] == {"queue": "fairness"}


def test_a_delivered_twice_audit_runs_once(refund_assistant):
    plant(refund_assistant, german_favourable=80)
    audit = services.fairness_audit_request(trigger="staff", enqueue=False)
    run_fairness_audit.apply(args=(audit.pk,), task_id="first")
    run_fairness_audit.apply(args=(audit.pk,), task_id="second")
    assert FairnessAuditUnit.objects.filter(audit=audit).count() == 15  # 5 attributes + 10 pairs, once
    assert AuditEvent.objects.filter(action="fairness.audit_completed").count() == 1


def test_a_lost_or_abandoned_audit_is_run_again_by_the_sweeper(refund_assistant, settings):
    plant(refund_assistant, german_favourable=80)
    services.fairness_audit_request(trigger="staff", enqueue=False)  # its message was lost
    abandoned = services.fairness_audit_request(trigger="staff", enqueue=False)
    services.fairness_audit_claim(audit_id=abandoned.pk, task_id="dead-worker")
    FairnessAudit.objects.update(heartbeat_at=timezone.now() - timedelta(hours=2))
    assert sweep_stuck_fairness_audits() == 2
    assert set(FairnessAudit.objects.values_list("status", flat=True)) == {"completed"}


def test_a_failing_audit_is_marked_failed_with_the_error_class_only(refund_assistant, monkeypatch):
    plant(refund_assistant, german_favourable=80)

    def broken(**kwargs):
        raise RuntimeError("customer alice@example.com broke it")

    monkeypatch.setattr(services, "fairness_audit_execute", broken)
    audit = services.fairness_audit_request(trigger="staff", enqueue=False)
    run_fairness_audit.apply(args=(audit.pk,), task_id="t", throw=False)
    audit.refresh_from_db()
    assert (audit.status, audit.failure_detail) == ("failed", "RuntimeError")
    assert AuditEvent.objects.filter(action="fairness.audit_failed").exists()
