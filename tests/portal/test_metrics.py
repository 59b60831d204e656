import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from fairness.models import FairnessAudit
from portal.celery import app as celery_app
from privacy.models import PrivacyRequest, WebhookDelivery, WebhookEndpoint
from privacy.services.requests import subject_reference

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "a-metrics-token-for-the-tests-only"


@pytest.fixture(autouse=True)
def _metrics_token(settings):
    settings.PORTAL_METRICS_TOKEN = TOKEN


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def request_for(user, *, kind="export", status="processing", **fields) -> PrivacyRequest:
    return PrivacyRequest.objects.create(
        kind=kind, status=status, user=user, subject_ref=subject_reference(user.pk), **fields
    )


@pytest.mark.django_db
def test_without_a_configured_token_metrics_do_not_exist(client, settings):
    settings.PORTAL_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_a_scrape_without_the_token_is_refused(client):
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"portal_" not in response.content


@pytest.mark.django_db
def test_a_scrape_with_a_wrong_token_is_refused(client):
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401


@pytest.mark.django_db
def test_a_view_hit_is_timed_under_its_url_name_never_its_path(client, alice):
    key = ("portal_http_request_duration_seconds_count", (("view", "healthz"),))
    before = scrape(client).get(key, 0)
    client.get("/healthz")
    client.get("/no/such/page/alice@example.com")
    after = scrape(client)
    assert after[key] == before + 1
    assert after[("portal_http_request_duration_seconds_count", (("view", "<unresolved>"),))] >= 1
    assert not any("alice" in value for _, labels in after for _, value in labels)


@pytest.mark.django_db
def test_an_overdue_request_shows_in_the_overdue_count_and_the_oldest_age(client, alice, bob):
    empty = scrape(client)
    assert empty[("portal_privacy_requests_overdue", ())] == 0
    assert empty[("portal_privacy_request_oldest_open_age_seconds", ())] == 0
    now = timezone.now()
    request_for(alice, submitted_at=now - timedelta(days=40), due_at=now - timedelta(days=10))
    request_for(bob, submitted_at=now - timedelta(days=1), due_at=now + timedelta(days=29))
    request_for(bob, status="completed", submitted_at=now - timedelta(days=90), due_at=now - timedelta(days=60))
    samples = scrape(client)
    assert samples[("portal_privacy_requests_overdue", ())] == 1
    age = samples[("portal_privacy_request_oldest_open_age_seconds", ())]
    assert timedelta(days=40).total_seconds() <= age < timedelta(days=40, minutes=5).total_seconds()


@pytest.mark.django_db
def test_failed_webhook_deliveries_are_counted(client):
    endpoint = WebhookEndpoint.objects.create(name="CRM", url="https://crm.example/hook", secret="s", events=[])
    for status in ("failed", "failed", "delivered", "pending"):
        WebhookDelivery.objects.create(endpoint=endpoint, event="erasure.completed", payload={}, status=status)
    assert scrape(client)[("portal_webhook_deliveries_failed", ())] == 2


@pytest.mark.django_db
def test_fairness_alerts_come_from_the_latest_completed_audit(client):
    assert scrape(client)[("portal_fairness_alerts", ())] == 0
    now = timezone.now()
    thresholds = {
        "min_group_size": 30,
        "min_customers": 10,
        "alert_ratio": 0.8,
        "watch_ratio": 0.9,
        "significance": 0.05,
        "overturn_factor": 2,
    }
    for days_ago, status, alerts in [(2, "completed", 1), (1, "completed", 3), (0, "failed", 9)]:
        FairnessAudit.objects.create(
            status=status,
            trigger="schedule",
            window_start=now - timedelta(days=90 + days_ago),
            window_end=now - timedelta(days=days_ago),
            alerts=alerts,
            **thresholds,
        )
    assert scrape(client)[("portal_fairness_alerts", ())] == 3


@pytest.fixture
def folder_broker(monkeypatch, tmp_path):
    queue_dir = tmp_path / "queue"
    queue_dir.mkdir()
    monkeypatch.setitem(celery_app.conf, "broker_url", "filesystem://localhost/")
    monkeypatch.setitem(celery_app.conf, "broker_read_url", "filesystem://localhost/")
    monkeypatch.setitem(celery_app.conf, "broker_write_url", "filesystem://localhost/")
    monkeypatch.setitem(
        celery_app.conf,
        "broker_transport_options",
        # control_folder too: kombu's default is a folder in the working directory.
        {
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "control_folder": str(tmp_path / "control"),
            "store_processed": False,
        },
    )
    return queue_dir


@pytest.mark.django_db
def test_queue_depth_counts_the_messages_waiting_in_each_queue(client, folder_broker):
    with celery_app.connection_for_write() as conn:
        for queue, messages in [("exports", 2), ("erasure", 1)]:
            simple = conn.SimpleQueue(queue)
            for n in range(messages):
                simple.put({"n": n})
            simple.close()
    samples = scrape(client)
    assert samples[("portal_celery_broker_up", ())] == 1
    assert samples[("portal_celery_queue_depth", (("queue", "exports"),))] == 2
    assert samples[("portal_celery_queue_depth", (("queue", "erasure"),))] == 1
    for queue in ("default", "webhooks", "fairness"):
        assert samples[("portal_celery_queue_depth", (("queue", queue),))] == 0


@pytest.mark.django_db
def test_an_unreachable_broker_shows_as_down_and_the_scrape_still_answers(client, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(celery_app.conf, "broker_read_url", "redis://127.0.0.1:9/0")
    samples = scrape(client)
    assert samples[("portal_celery_broker_up", ())] == 0
    assert ("portal_privacy_requests_overdue", ()) in samples


@pytest.mark.django_db
def test_a_job_is_timed_by_task_name_and_outcome(client):
    from privacy.tasks import purge_old_emails

    key = ("portal_job_duration_seconds_count", (("outcome", "success"), ("task", "privacy.tasks.purge_old_emails")))
    before = scrape(client).get(key, 0)
    purge_old_emails.delay()
    assert scrape(client)[key] == before + 1


def test_the_deployment_check_warns_when_no_token_is_set(settings):
    settings.PORTAL_METRICS_TOKEN = ""
    assert "portal.W001" in {message.id for message in run_checks(include_deployment_checks=True)}
    settings.PORTAL_METRICS_TOKEN = TOKEN
    assert "portal.W001" not in {message.id for message in run_checks(include_deployment_checks=True)}


@pytest.mark.django_db
def test_with_a_multiprocess_folder_a_scrape_adds_up_every_process(client, monkeypatch, tmp_path):
    # Two other processes (as gunicorn's workers would) each answer a request;
    # this process's scrape reads what both recorded.
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    code = (
        "import django; django.setup();"
        "from portal.metrics import REQUEST_LATENCY, JOB_DURATION;"
        "REQUEST_LATENCY.labels(view='healthz').observe(0.02);"
        "JOB_DURATION.labels(task='privacy.tasks.build_export', outcome='success').observe(3)"
    )
    workers = [subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT) for _ in range(2)]
    assert [worker.wait(timeout=60) for worker in workers] == [0, 0]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    samples = scrape(client)
    assert samples[("portal_http_request_duration_seconds_count", (("view", "healthz"),))] == 2
    job = ("portal_job_duration_seconds_sum", (("outcome", "success"), ("task", "privacy.tasks.build_export")))
    assert samples[job] == 6
    assert ("portal_privacy_requests_overdue", ()) in samples  # the business figures too
