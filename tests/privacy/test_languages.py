"""E-mails and archives in the customer's language, also when a worker writes them (privacy.languages).

A worker has no request and so no language of its own: it runs here under
English, and what it writes must still follow the customer. The checks use
what Django itself translates (month names, number and date formats), so
they do not depend on how far the translators have got.
"""

import io
import zipfile

from django.core.files.storage import storages
from django.utils import formats, timezone, translation

from privacy import services
from privacy.exporting import _number
from privacy.languages import customer_language
from privacy.models import PrivacyRequest
from privacy.notifications import render_customer_email
from tests.conftest import sent_emails
from tests.factories import give_history


def month_in(language: str, moment) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "F")


def build_export_as_a_worker(user, django_capture_on_commit_callbacks) -> PrivacyRequest:
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        request = services.export_request_create(user=user)
    request.refresh_from_db()
    assert request.status == "completed"
    return request


def test_a_worker_writes_the_export_and_its_e_mail_in_the_customers_language(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    alice.preferred_language = "es"
    alice.save(update_fields=["preferred_language"])
    give_history(alice, marker="ALICE-MARK")
    request = build_export_as_a_worker(alice, django_capture_on_commit_callbacks)
    with storages["exports"].open(request.archive.storage_name, "rb") as stored:
        archive = zipfile.ZipFile(io.BytesIO(stored.read()))
    index = archive.read("index.html").decode()
    readme = archive.read("README.txt").decode()
    made_in_spanish = month_in("es", request.archive.created_at)
    made_in_english = month_in("en", request.archive.created_at)
    assert made_in_spanish != made_in_english
    assert '<html lang="es">' in index
    for text in (index, readme):
        assert made_in_spanish in text and made_in_english not in text
    # The e-mail saying it is ready, with the day the archive goes, in Spanish.
    alices = sent_emails(mailoutbox, alice.email)
    with translation.override("es"):
        until = formats.date_format(timezone.localtime(request.archive.expires_at), "DATE_FORMAT")
    assert " de " in until  # "7 de diciembre de 2026"
    [ready] = [message for message in alices if until in message.body]
    assert '<html lang="es">' in ready.alternatives[0][0]
    for message in alices:
        assert month_in("en", request.archive.expires_at) not in message.body
        assert month_in("en", request.submitted_at) not in message.body
    # Bob's e-mails, had he any, are not Alice's: nothing was sent to him.
    assert sent_emails(mailoutbox, bob.email) == []


def test_bobs_export_stays_english_while_alices_is_german(bob, alice, django_capture_on_commit_callbacks):
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    request = build_export_as_a_worker(bob, django_capture_on_commit_callbacks)
    with storages["exports"].open(request.archive.storage_name, "rb") as stored:
        index = zipfile.ZipFile(io.BytesIO(stored.read())).read("index.html").decode()
    assert '<html lang="en">' in index


def test_a_withdrawn_language_is_written_to_in_english_not_in_djangos_french(alice, bob):
    import datetime

    alice.preferred_language = "fr"  # offered once, without a catalogue
    context = {
        "request": PrivacyRequest(
            pk=1,
            kind="export",
            status="submitted",
            subject_ref="x",
            due_at=datetime.datetime(2026, 12, 26, 12, tzinfo=datetime.UTC),
        ),
        "request_url": "https://portal.example/requests/1/",
    }
    message = render_customer_email(user=alice, name="request_received", context=context)
    assert "December" in message.body and "décembre" not in message.body
    html = message.alternatives[0][0]
    assert isinstance(html, str) and '<html lang="en">' in html
    assert customer_language(alice) == "en" and customer_language(bob) == "en"


def test_numbers_and_percentages_read_in_the_customers_style():
    from privacy.values import display_confidence

    for language, thousands in (("en", "12,345"), ("de", "12.345"), ("es", "12\xa0345")):
        with translation.override(language):
            assert _number(12345) == thousands, language
    with translation.override("de"):
        assert formats.number_format(0.5, 1) == "0,5"
        assert "73 %" in display_confidence(0.734)
