import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from accounts.models import User
from portal.celery import app as celery_app
from portal.logs import JSONFormatter, RequestContextFilter
from privacy.models import AIPurpose, PrivacyRequest
from tests.conftest import PASSWORD, make_customer, reauthenticate, sign_in
from tests.factories import give_history

DANA = {"email": "dana.doe@example.com", "full_name": "Dana Doe", "password1": PASSWORD, "password2": PASSWORD}


@pytest.fixture
def json_log():
    """Every log line written while the fixture stands, formatted as LOG_FORMAT=json formats it."""
    # Celery's Django fix-up sets Django up again (and with it the logging)
    # the first time a web process publishes a task: have that happen first.
    celery_app.loader.import_default_modules()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter())
    handler.addFilter(RequestContextFilter())
    # factory_boy, which builds the tests' data, logs what it builds: not the portal's lines.
    handler.addFilter(lambda record: not record.name.startswith("factory"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def lines_of(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_log_format_json_makes_the_console_write_json():
    # The settings as a fresh process reads them from its environment.
    code = "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "LOG_FORMAT": "json"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "json"


@pytest.mark.django_db
def test_a_request_has_an_id_in_its_log_lines_and_in_its_response(client, json_log):
    response = client.get("/no/such/page/")
    lines = [line for line in lines_of(json_log) if line["logger"] == "django.request"]
    assert lines and lines[0]["request_id"] == response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_a_safe_incoming_request_id_is_kept_and_an_unsafe_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == "lb-1234abcd"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x" injected\nline')["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)


# transaction=True: the jobs are queued when the request's transaction commits,
# and (eager here) run inside the request, as the worker's would run after it.
@pytest.mark.django_db(transaction=True)
def test_a_job_queued_by_a_request_logs_its_task_id_and_the_request_id(client, alice, json_log):
    sign_in(client, alice.email)
    reauthenticate(client)
    response = client.post("/requests/export/")
    task_lines = [line for line in lines_of(json_log) if line["task_id"]]
    assert any(line["message"].startswith("export request id=") for line in task_lines), lines_of(json_log)
    assert {line["request_id"] for line in task_lines} == {response["X-Request-ID"]}


def test_a_task_published_during_a_request_carries_that_requests_id_in_its_message():
    from celery.signals import before_task_publish

    from portal import request_context
    from portal.task_signals import REQUEST_ID_HEADER

    token = request_context.request_id.set("lb-1234abcd")
    try:
        headers: dict[str, Any] = {}
        before_task_publish.send(sender="privacy.tasks.build_export", headers=headers)
    finally:
        request_context.request_id.reset(token)
    assert headers[REQUEST_ID_HEADER] == "lb-1234abcd"
    outside: dict[str, Any] = {}
    before_task_publish.send(sender="privacy.tasks.build_export", headers=outside)  # beat, a shell: no request
    assert REQUEST_ID_HEADER not in outside


@pytest.mark.django_db
def test_a_worker_logs_a_job_with_the_id_of_the_request_that_queued_it(alice, json_log, monkeypatch):
    from portal.task_signals import REQUEST_ID_HEADER
    from privacy import services
    from privacy.tasks import build_export

    monkeypatch.setattr(build_export, "delay", lambda *args: None)
    export = services.export_request_create(user=alice)
    # As a worker receives it: the message's headers, one of them the request's ID; a forged one is replaced.
    for sent, logged in (("lb-1234abcd", "lb-1234abcd"), ('x" forged\nline', None)):
        json_log.truncate(0)
        json_log.seek(0)
        PrivacyRequest.objects.filter(pk=export.pk).update(status="approved", claimed_by_task="")
        result = build_export.apply(args=(export.pk,), headers={REQUEST_ID_HEADER: sent})
        lines = [line for line in lines_of(json_log) if line["task_id"] == result.id]
        assert any(line["message"].startswith("export request id=") for line in lines), lines_of(json_log)
        ids = {line["request_id"] for line in lines}
        if logged:
            assert ids == {logged}
        else:
            assert len(ids) == 1 and re.fullmatch(r"[0-9a-f]{32}", ids.pop() or "")
    from portal import request_context

    assert request_context.request_id.get() is None  # nothing of the job's is left for the next one


@pytest.mark.django_db
def test_an_exception_is_logged_without_its_message(json_log):
    try:
        raise ValueError("duplicate key value violates unique constraint: (email)=(alice@example.com)")
    except ValueError:
        logging.getLogger("portal.test").exception("saving failed")
    (line,) = lines_of(json_log)
    assert line["exception"]["type"] == "ValueError"
    assert "alice@example.com" not in json.dumps(line)


@pytest.mark.django_db(transaction=True)
def test_the_logs_of_a_whole_journey_carry_no_personal_data(client, alice, bob, settings, json_log):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    settings.PORTAL_ERASURE_GRACE_DAYS = 0
    officer = make_customer("olivia.officer@example.com", "Olivia Okafor", is_staff=True, is_superuser=True)
    give_history(alice, marker="ALICE-PRIVATE-WORDS")
    give_history(bob, marker="BOB-PRIVATE-WORDS")

    def step(method, path, data=None):
        response = getattr(client, method)(path, data or {})
        assert response.status_code < 500, (path, response.status_code)
        return response

    # Dana signs up, follows the link she is e-mailed, and signs in.
    step("post", "/accounts/signup/", DANA)
    link = re.search(r"(/accounts/confirm-email/[^/\s]+/)", str(mail.outbox[-1].body))
    assert link is not None
    step("post", link.group(1))
    dana = User.objects.get(email=DANA["email"])
    give_history(dana, marker="DANA-PRIVATE-WORDS")
    sign_in(client, DANA["email"])
    # She reads her data, switches an AI use off, and asks for an export.
    step("get", "/dashboard/")
    assert "DANA-PRIVATE-WORDS" in step("get", "/my-data/").content.decode()
    purpose = AIPurpose.objects.filter(is_active=True).first()
    assert purpose is not None
    step("post", f"/preferences/{purpose.slug}/", {"allowed": "false", "notice_version": purpose.notice_version})
    reauthenticate(client)
    step("post", "/requests/export/")
    export = PrivacyRequest.objects.get(user=dana, kind="export")
    assert PrivacyRequest.objects.get(pk=export.pk).status == "completed"
    step("get", f"/requests/{export.pk}/")
    # Then an erasure, which the privacy officer approves at the desk.
    step("post", "/requests/erasure/", {"confirmation": "erase my data"})
    erasure = PrivacyRequest.objects.get(user=dana, kind="erasure")
    client.force_login(officer)
    step("get", "/admin/privacy/privacyrequest/")
    step("get", f"/admin/privacy/privacyrequest/{erasure.pk}/change/")
    step("post", "/admin/privacy/privacyrequest/", {"action": "approve", "_selected_action": [erasure.pk]})
    assert PrivacyRequest.objects.get(pk=erasure.pk).status == "completed"
    assert not User.objects.filter(email=DANA["email"]).exists()

    lines = lines_of(json_log)
    assert len(lines) >= 5
    web_lines = [line for line in lines if line["request_id"]]
    assert any(line["task_id"] for line in web_lines)  # the jobs ran within the requests, eagerly
    assert all(line["request_id"] for line in lines), [line for line in lines if not line["request_id"]]
    text = json_log.getvalue().lower()
    personal = [
        DANA["email"],
        "Dana Doe",
        alice.email,
        alice.full_name,
        alice.phone,
        bob.email,
        bob.full_name,
        "olivia.officer@example.com",
        "Olivia Okafor",
        PASSWORD,
        "ALICE-PRIVATE-WORDS",
        "BOB-PRIVATE-WORDS",
        "DANA-PRIVATE-WORDS",
    ]
    for value in personal:
        assert value.lower() not in text, value
