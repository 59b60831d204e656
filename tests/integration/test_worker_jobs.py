"""A task enqueued by a web request runs on a real worker and writes the database."""

import email
import email.policy
import os
import re
import subprocess
import sys

import pytest

from privacy.models import OutboundEmail
from tests.workers import ROOT, start_worker, wait_for

pytestmark = pytest.mark.integration


def test_a_sign_up_e_mail_is_sent_by_a_real_worker_after_commit(client, real_worker):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "dana@example.com",
            "full_name": "Dana Doe",
            "password1": "plum-orchard-77",
            "password2": "plum-orchard-77",
        },
    )
    assert response.status_code == 302

    sent = wait_for(
        lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).first(),
        what="the worker to mark the e-mail sent",
    )
    assert sent.recipients == ["dana@example.com"]
    assert sent.body_text == ""  # forgotten once delivered
    files = wait_for(real_worker.emails, what="the .eml file")
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None
    body = plain.get_content()
    assert re.search(r"/accounts/confirm-email/[^/\s]+/", body)
    assert "send_outbound_email[" in real_worker.log()
    assert "dana@example.com" not in real_worker.log()  # task arguments and logs carry IDs only


def test_the_embedded_default_runs_jobs_without_any_server(tmp_path):
    """SQLite and the folder broker, as `make run` uses them on a fresh machine."""
    env = {
        "PATH": os.environ["PATH"],
        "PORTAL_DATA_DIR": str(tmp_path / "var"),
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    worker = start_worker(env=env, folder=tmp_path)
    try:
        queue = (
            "from django.core.mail import EmailMessage\n"
            "from django.db import transaction\n"
            "from privacy.services import outbound_email_queue\n"
            "with transaction.atomic():\n"
            "    outbound_email_queue(message=EmailMessage('Hi', 'Body', 'p@localhost', ['x@example.com']),"
            " template='test', user_id=None)\n"
        )
        subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", queue],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=120,
        )
        files = wait_for(worker.emails, what="the worker to write the e-mail")
        assert b"Subject: Hi" in files[0].read_bytes()
    finally:
        worker.stop()
