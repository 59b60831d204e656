import smtplib
from datetime import timedelta

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from privacy import services
from privacy.models import OutboundEmail
from privacy.tasks import resend_stuck_emails, send_outbound_email


def queue_one(user_id=None, to="alice@example.com") -> OutboundEmail:
    message = EmailMultiAlternatives("Your code", "Code: 123456", "privacy@localhost", [to])
    message.attach_alternative("<p>Code: 123456</p>", "text/html")
    return services.outbound_email_queue(message=message, template="account/email/login_code", user_id=user_id)


@pytest.mark.django_db
def test_a_queued_e_mail_is_sent_after_commit_with_text_and_html(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_one()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 1
    assert mailoutbox[0].body == "Code: 123456"
    assert mailoutbox[0].alternatives[0][0] == "<p>Code: 123456</p>"


@pytest.mark.django_db
def test_nothing_is_published_before_the_transaction_commits(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue_one()
    assert len(callbacks) == 1
    assert mailoutbox == []
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED


@pytest.mark.django_db
def test_the_body_is_forgotten_once_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_one()
    email.refresh_from_db()
    assert (email.body_text, email.body_html) == ("", "")


@pytest.mark.django_db
def test_a_second_delivery_of_the_same_task_sends_nothing(mailoutbox):
    email = queue_one()
    send_outbound_email.delay(email.pk)
    send_outbound_email.delay(email.pk)
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_published_task_carries_only_the_row_id(monkeypatch, django_capture_on_commit_callbacks):
    published = []
    monkeypatch.setattr(send_outbound_email, "delay", lambda *args, **kwargs: published.append((args, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_one()
    assert published == [((email.pk,), {})]


@pytest.mark.django_db
def test_a_refused_recipient_fails_at_once_and_logs_no_address(monkeypatch):
    email = queue_one()

    def refused(*, email_id):
        raise smtplib.SMTPRecipientsRefused({"alice@example.com": (550, b"no such user")})

    monkeypatch.setattr(services, "outbound_email_deliver", refused)
    result = send_outbound_email.apply(args=(email.pk,), throw=False)
    assert result.failed()
    assert "alice@example.com" not in repr(result.result) + str(result.traceback)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutboundEmail.Status.FAILED, 1, "SMTPRecipientsRefused")
    assert (email.body_text, email.body_html) == ("", "")  # the code in it is not kept


@pytest.mark.django_db
def test_a_killed_workers_redelivered_message_takes_its_e_mail_back(mailoutbox):
    email = queue_one()
    assert services.outbound_email_claim(email_id=email.pk, task_id="task-1")  # then the worker dies
    assert not services.outbound_email_claim(email_id=email.pk, task_id="task-2")  # another task: no
    send_outbound_email.apply(args=(email.pk,), task_id="task-1")  # the same message, redelivered
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_mail_server_failure_puts_the_e_mail_back_and_retries(monkeypatch, mailoutbox):
    email = queue_one()
    calls = {"n": 0}
    real_deliver = services.outbound_email_deliver

    def flaky_deliver(*, email_id):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        real_deliver(email_id=email_id)

    monkeypatch.setattr(services, "outbound_email_deliver", flaky_deliver)
    # Run as a worker runs it; eagerly, Celery performs the retry at once.
    result = send_outbound_email.apply(args=(email.pk,), throw=False)
    assert result.successful()
    assert calls["n"] == 2
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 2
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_an_e_mail_that_keeps_failing_is_marked_failed(monkeypatch):
    email = queue_one()

    def broken_deliver(*, email_id):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(services, "outbound_email_deliver", broken_deliver)
    monkeypatch.setattr(send_outbound_email, "max_retries", 0)
    # throw=False: run the failure handling a worker runs (eager propagation skips it).
    result = send_outbound_email.apply(args=(email.pk,), throw=False)
    assert result.failed()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.last_error == "SMTPServerDisconnected"


@pytest.mark.django_db
def test_the_sweeper_republishes_e_mails_whose_message_was_lost(mailoutbox, settings):
    email = queue_one()  # never published: no on-commit callback ran
    OutboundEmail.objects.filter(pk=email.pk).update(status_changed_at=timezone.now() - timedelta(minutes=10))
    assert resend_stuck_emails.delay().get() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_sweeper_leaves_fresh_e_mails_alone(mailoutbox):
    queue_one()
    assert resend_stuck_emails.delay().get() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_sweeper_takes_back_an_e_mail_from_a_killed_worker(mailoutbox, settings):
    email = queue_one()
    long_ago = timezone.now() - timedelta(seconds=settings.PORTAL_EMAIL_TASK_TIME_LIMIT * 2 + 120)
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.SENDING, status_changed_at=long_ago)
    assert resend_stuck_emails.delay().get() == 1
    assert len(mailoutbox) == 1
