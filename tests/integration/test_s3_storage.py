"""Archives in a real S3 bucket: moto's standalone server, reached over HTTP by
django-storages' S3 backend, configured by the EXPORTS_S3_* variables as in production.

The journey (build, download, expiry, erasure) and a bucket outage while
building. Jobs run eagerly here (the worker tests cover real workers); every
object is checked in the bucket itself, through a client of the test's own.
"""

import io
import zipfile
from datetime import timedelta

import pytest
from botocore.config import Config
from celery.signals import task_retry
from django.contrib.auth.models import Group
from django.core.files.storage import storages
from django.utils import timezone

from portal.celery import app as celery_app
from privacy import services
from privacy.models import ExportArchive, PrivacyRequest
from privacy.tasks import expire_exports
from tests.conftest import make_customer, sign_in_recently
from tests.factories import give_history
from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, S3Server, free_port, new_bucket_name
from tests.workers import ALL_QUEUES, start_worker, wait_for, worker_env


def use_new_bucket(s3_server: S3Server, settings, monkeypatch) -> tuple[str, dict[str, str]]:
    """Make a private bucket and point the portal's exports storage at it by EXPORTS_S3_*."""
    from portal.settings import _s3_storage

    name = new_bucket_name()
    s3_server.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    variables = {
        "EXPORTS_S3_BUCKET": name,
        "EXPORTS_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "EXPORTS_S3_REGION": REGION,
        "EXPORTS_S3_ACCESS_KEY": ACCESS_KEY,
        "EXPORTS_S3_SECRET_KEY": SECRET_KEY,
    }
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    # The settings block production runs, read from these variables; overriding
    # STORAGES empties Django's cache of storages (django.test.signals).
    settings.STORAGES = {**settings.STORAGES, "exports": _s3_storage("EXPORTS")}
    assert type(storages["exports"]).__name__ == "S3Storage"
    return name, variables


@pytest.fixture
def bucket(s3_server: S3Server, settings, monkeypatch) -> str:
    name, _variables = use_new_bucket(s3_server, settings, monkeypatch)
    return name


@pytest.fixture
def worker_on_a_bucket(transactional_db, tmp_path, s3_server, settings, monkeypatch):
    """A real worker (all queues) whose exports go to a new bucket, as the web side's do."""
    env = worker_env(tmp_path)  # first: it reads the file-system folder's path from the settings
    name, variables = use_new_bucket(s3_server, settings, monkeypatch)
    worker = start_worker(env={**env, **variables}, folder=tmp_path, queues=ALL_QUEUES)
    celery_app.conf.task_always_eager = False
    try:
        yield name
    finally:
        celery_app.conf.task_always_eager = True
        worker.stop()


@pytest.fixture
def outage_ready(settings, bucket) -> None:
    """botocore's own retries, off: it retries a refused connection with backoff
    (up to some 15 s a call), which would make four job attempts take minutes.
    The job's retries, the subject here, are untouched."""
    exports = settings.STORAGES["exports"]
    options = {**exports["OPTIONS"], "client_config": Config(retries={"mode": "standard", "total_max_attempts": 1})}
    settings.STORAGES = {**settings.STORAGES, "exports": {**exports, "OPTIONS": options}}


def privacy_desk(client_factory, settings):
    """A privacy officer's browser, signed in to the admin."""
    settings.PORTAL_STAFF_REQUIRE_MFA = False  # the MFA gate has tests of its own
    officer = make_customer("officer@example.com", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officer"))
    desk = client_factory()
    desk.force_login(officer)
    return desk


def export_object(request: PrivacyRequest) -> str:
    return f"exports/request-{request.pk}.zip"


@pytest.fixture
def alices_export(client, alice, bob, bucket, django_capture_on_commit_callbacks) -> PrivacyRequest:
    give_history(alice, marker="ALICE-MARK")
    give_history(bob, marker="BOB-MARK")
    sign_in_recently(client, alice.email)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/requests/export/")
    export = PrivacyRequest.objects.get(user=alice)
    assert response["Location"] == f"/requests/{export.pk}/"
    return export


def test_an_export_is_stored_in_the_bucket_and_only_its_owner_downloads_it(
    client, client_factory, alices_export, bob, s3_server, bucket
):
    alices_export.refresh_from_db()
    assert alices_export.status == "completed", alices_export.failure_detail
    assert s3_server.object_names(bucket) == [export_object(alices_export)]
    grants = s3_server.client().get_object_acl(Bucket=bucket, Key=export_object(alices_export))["Grants"]
    assert [grant["Grantee"]["Type"] for grant in grants] == ["CanonicalUser"]  # the owner's alone, no group

    response = client.get(f"/requests/{alices_export.pk}/download/")
    # Streamed through the portal, which checked the owner: no bucket URL leaves it.
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    assert "ALICE-MARK" in archive.read("data.json").decode()
    assert "BOB-MARK" not in archive.read("data.json").decode()
    stored = s3_server.client().get_object(Bucket=bucket, Key=export_object(alices_export))["Body"].read()
    assert stored == b"".join(client.get(f"/requests/{alices_export.pk}/download/").streaming_content)

    bobs_browser = client_factory()
    sign_in_recently(bobs_browser, bob.email)
    assert bobs_browser.get(f"/requests/{alices_export.pk}/download/").status_code == 404


def test_expiry_removes_the_archive_from_the_bucket(client, alices_export, s3_server, bucket):
    assert s3_server.object_names(bucket) == [export_object(alices_export)]
    ExportArchive.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert expire_exports.delay().get() == 1
    assert s3_server.object_names(bucket) == []
    assert client.get(f"/requests/{alices_export.pk}/download/").status_code == 410


def test_an_erasure_removes_the_customers_archive_but_not_another_customers(
    alice, bob, s3_server, bucket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alices = services.export_request_create(user=alice)
        bobs = services.export_request_create(user=bob)
    assert s3_server.object_names(bucket) == sorted([export_object(alices), export_object(bobs)])
    with django_capture_on_commit_callbacks(execute=True):
        erasure = services.erasure_request_create(user=alice, skip_grace=True)
    erasure.refresh_from_db()
    assert erasure.status == "completed", erasure.failure_detail
    assert s3_server.object_names(bucket) == [export_object(bobs)]


def test_a_bucket_outage_while_building_is_retried_and_the_export_completes_when_it_ends(
    alice, s3_server, bucket, outage_ready, monkeypatch, django_capture_on_commit_callbacks
):
    retried = []

    def outage_ends(sender, **kwargs):
        # The job went back to the queue after the failed attempt: the bucket is back.
        retried.append(PrivacyRequest.objects.get(user=alice).status)
        s3_server.start()
        s3_server.client().create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})

    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    task_retry.connect(outage_ends, weak=False)
    s3_server.stop()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            export = services.export_request_create(user=alice)
    finally:
        task_retry.disconnect(outage_ends)
        if s3_server.process is None:
            s3_server.start()
    export.refresh_from_db()
    assert retried == ["approved"]  # released, back in the queue, once
    assert export.status == "completed" and export.attempts == 2
    assert s3_server.object_names(bucket) == [export_object(export)]


def test_a_lasting_bucket_outage_fails_the_export_plainly_for_the_customer_and_staff(
    client,
    client_factory,
    settings,
    alice,
    s3_server,
    bucket,
    outage_ready,
    monkeypatch,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    s3_server.stop()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            export = services.export_request_create(user=alice)
    finally:
        s3_server.start()  # an empty server: the bucket is gone, for any later test
    export.refresh_from_db()
    assert export.status == "failed"
    assert export.attempts == 4  # the first try and three retries
    assert export.failure_detail == "EndpointConnectionError"  # the error's class, never its text
    assert not ExportArchive.objects.filter(request=export).exists()

    sign_in_recently(client, alice.email)
    page = client.get(f"/requests/{export.pk}/").content.decode()
    assert "We could not build your archive. Our privacy team has been told" in page
    # The reason is the customer's to read, so in the customer's language.
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    page = client.get(f"/requests/{export.pk}/").content.decode()
    assert "Wir konnten Ihr Archiv nicht erstellen." in page and "could not build" not in page
    assert any(m.to == [alice.email] and "could not build" in m.subject for m in mailoutbox)
    assert any(m.to == ["privacy-team@localhost"] and f"#{export.pk} failed" in m.subject for m in mailoutbox)

    desk = privacy_desk(client_factory, settings)
    queue = desk.get("/admin/privacy/privacyrequest/?status=failed")
    assert queue.status_code == 200
    assert f"/admin/privacy/privacyrequest/{export.pk}/change/" in queue.content.decode()
    detail = desk.get(f"/admin/privacy/privacyrequest/{export.pk}/change/").content.decode()
    assert "EndpointConnectionError" in detail


def test_an_erasure_during_a_bucket_outage_fails_plainly_and_a_staff_retry_removes_the_archive(
    client_factory,
    settings,
    alice,
    bob,
    s3_server,
    bucket,
    outage_ready,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        alices = services.export_request_create(user=alice)
        bobs = services.export_request_create(user=bob)
    assert s3_server.object_names(bucket) == sorted([export_object(alices), export_object(bobs)])
    reachable = settings.STORAGES["exports"]
    # The bucket is out of reach (nothing listens on that port); its objects stay where they are.
    unreachable = {**reachable["OPTIONS"], "endpoint_url": f"http://127.0.0.1:{free_port()}"}
    settings.STORAGES = {**settings.STORAGES, "exports": {**reachable, "OPTIONS": unreachable}}
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    with django_capture_on_commit_callbacks(execute=True):
        erasure = services.erasure_request_create(user=alice, skip_grace=True)
    erasure.refresh_from_db()
    assert (erasure.status, erasure.attempts, erasure.failure_detail) == ("failed", 4, "EndpointConnectionError")
    assert s3_server.object_names(bucket) == sorted([export_object(alices), export_object(bobs)])
    settings.STORAGES = {**settings.STORAGES, "exports": reachable}  # the outage ends
    desk = privacy_desk(client_factory, settings)
    with django_capture_on_commit_callbacks(execute=True):
        desk.post("/admin/privacy/privacyrequest/", {"action": "retry", "_selected_action": [erasure.pk]})
    erasure.refresh_from_db()
    assert erasure.status == "completed", erasure.failure_detail
    assert s3_server.object_names(bucket) == [export_object(bobs)]


@pytest.mark.integration
def test_a_real_worker_builds_into_the_bucket_and_the_portal_streams_it_from_there(
    client, client_factory, alice, bob, s3_server, worker_on_a_bucket
):
    # The worker process got EXPORTS_S3_* from its environment, as in production:
    # it writes the bucket, and the web side reads the same bucket.
    bucket = worker_on_a_bucket
    sign_in_recently(client, alice.email)
    client.post("/requests/export/")
    export = PrivacyRequest.objects.get(user=alice)
    wait_for(lambda: PrivacyRequest.objects.get(pk=export.pk).status == "completed", what="the export")
    assert s3_server.object_names(bucket) == [export_object(export)]

    response = client.get(f"/requests/{export.pk}/download/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).testzip() is None
    bobs_browser = client_factory()
    sign_in_recently(bobs_browser, bob.email)
    assert bobs_browser.get(f"/requests/{export.pk}/download/").status_code == 404
