from datetime import timedelta

import pytest
from django.utils import timezone, translation

from privacy import services
from privacy.models import ExportArchive, HumanReviewRequest, PrivacyRequest
from privacy.notifications import render_customer_email
from privacy.selectors.requests import ErasureItem, ErasurePreview
from privacy.tasks import send_erasure_reminders, send_staff_digest

CUSTOMER_EMAILS = [
    "request_received",
    "erasure_received",
    "request_approved",
    "request_denied",
    "request_extended",
    "request_cancelled",
    "erasure_reminder",
    "export_ready",
    "export_failed",
    "erasure_completed",
    "human_review_answered",
]


@pytest.fixture
def context(alice):
    now = timezone.now()
    request = PrivacyRequest(
        pk=41,
        kind="erasure",
        status="denied",
        user=alice,
        subject_ref="abcdef123456789",
        submitted_at=now,
        due_at=now + timedelta(days=30),
        scheduled_for=now + timedelta(days=2),
        denial_reason="An order is still open.",
        extension_reason="Three systems to search.",
    )
    return {
        "request": request,
        "request_url": "http://localhost:8000/requests/41/",
        "archive": ExportArchive(size=1234, expires_at=now + timedelta(days=7)),
        "review": HumanReviewRequest(pk=7),
        "review_url": "http://localhost:8000/human-review/7/",
        "receipt": ErasurePreview(
            deleted=[ErasureItem(label="Messages in your conversations", held="212 messages")],
            anonymised=[ErasureItem(label="Your profile", held="1 entry", removed=("Name",))],
            retained=[ErasureItem(label="History of your AI choices", held="3 entries", reason="Proof of consent.")],
        ),
    }


@pytest.mark.parametrize("name", CUSTOMER_EMAILS)
def test_every_customer_e_mail_renders_as_text_and_html_with_its_content(alice, context, name):
    message = render_customer_email(user=alice, name=name, context=context)
    html = message.alternatives[0][0]
    assert isinstance(html, str)
    assert message.subject.startswith("[Privacy portal] ") and "\n" not in message.subject
    assert message.to == [alice.email]
    assert "Privacy portal" in message.body and "<html" in html
    assert "{%" not in message.body + html and "{{" not in message.body + html
    link = context["review_url"] if name == "human_review_answered" else context["request_url"]
    if name != "erasure_completed":
        assert link in message.body and link in html
    expected = {
        "request_denied": "An order is still open.",
        "request_extended": "Three systems to search.",
        "erasure_completed": "Messages in your conversations: 212 messages",
        "export_ready": "holds no download link",
    }.get(name)
    if expected:
        assert expected in message.body and expected in html


def test_an_e_mail_is_written_in_the_customers_preferred_language(alice, context):
    import datetime

    context["request"].due_at = datetime.datetime(2026, 12, 26, 12, tzinfo=datetime.UTC)
    alice.preferred_language = "de"
    with translation.override("en"):
        german = render_customer_email(user=alice, name="request_received", context=context)
    assert translation.get_language() == "en"  # restored afterwards
    # Our own sentences are English so far; what Django translates (dates) follows the customer.
    assert "Dezember" in german.body and "December" not in german.body
    alice.preferred_language = "en"
    assert "December" in render_customer_email(user=alice, name="request_received", context=context).body


def test_the_digest_lists_exactly_the_overdue_and_due_soon_requests(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()

    def make(user, status, due_in):
        return PrivacyRequest.objects.create(
            kind="export", status=status, user=user, subject_ref="x", due_at=now + timedelta(days=due_in)
        )

    overdue = make(alice, "approved", -2)
    soon = make(bob, "awaiting_approval", 5)
    make(alice, "completed", -5)  # finished: not listed
    later = make(bob, "failed", 3)  # closed: not listed
    far = PrivacyRequest.objects.create(
        kind="erasure", status="scheduled", user=alice, subject_ref="x", due_at=now + timedelta(days=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = send_staff_digest.delay().get()
    assert result == {"overdue": [overdue.pk], "due_soon": [soon.pk]}
    (digest,) = [m for m in mailoutbox if m.to == ["privacy-team@localhost"]]
    assert f"#{overdue.pk}" in digest.body and f"#{soon.pk}" in digest.body
    assert f"#{far.pk} " not in digest.body and f"#{later.pk} " not in digest.body
    assert "alice@example.com" not in digest.body


def test_a_reminder_goes_out_two_days_before_the_erasure_and_only_once(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    PrivacyRequest.objects.create(
        kind="erasure",
        status="scheduled",
        user=alice,
        subject_ref="x",
        due_at=now + timedelta(days=30),
        scheduled_for=now + timedelta(days=1, hours=20),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_erasure_reminders.delay().get() == 1
        assert send_erasure_reminders.delay().get() == 0
    assert [m.subject for m in mailoutbox] == ["[Privacy portal] Your data will be erased in two days"]


def test_a_staff_decision_e_mails_the_customer(alice, django_capture_on_commit_callbacks, mailoutbox):
    from tests.conftest import make_customer

    officer = make_customer("officer@example.com", is_staff=True)
    erasure = services.erasure_request_create(user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_approve(request=erasure, staff_user=officer)
    assert any("approved" in m.subject for m in mailoutbox if m.to == [alice.email])
