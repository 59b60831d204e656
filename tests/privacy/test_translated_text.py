"""Texts staff write, per language: the customer's, or English marked "(not yet translated)"."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from privacy import services
from privacy.default_purposes import PURPOSES, ensure_default_purposes
from privacy.models import AIPurpose, AIPurposeNotice, ConsentEvent, PrivacyRequest, StaffGuidelines
from privacy.services.requests import subject_reference
from privacy.translated_text import in_every_language, sql_lookups, text_in_language
from tests.factories import AISystemFactory

NOTE = {"de": "(noch nicht übersetzt)", "es": "(aún sin traducir)"}


@pytest.fixture(autouse=True)
def no_mfa_in_these_tests(settings):
    settings.PORTAL_STAFF_REQUIRE_MFA = False  # the MFA gate has tests of its own


def prefer(user, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def visible(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_note_reads_in_each_language_offered():
    # The note is itself catalogued: a customer reads it in their language.
    for code, note in NOTE.items():
        with translation.override(code):
            assert translation.gettext("(not yet translated)") == note


def test_a_card_staff_translated_reads_in_german_and_one_they_did_not_reads_english_marked_as_such(alice, bob):
    AISystemFactory.create(
        slug="refunds",
        name_en="Refund assistant",
        name_de="Erstattungsassistent",
        description_en="Decides small refunds at once.",
        description_de="Entscheidet kleine Erstattungen sofort.",
    )
    AISystemFactory.create(slug="recs", name_en="Recommendation engine", description_en="Suggests products.")
    prefer(alice, "de")
    german = signed_in(alice).get("/ai/").content.decode()
    assert "Erstattungsassistent" in german and "Entscheidet kleine Erstattungen sofort." in german
    assert "Decides small refunds" not in german
    # Not yet in German: the English, marked as English for screen readers, and the note.
    assert (
        '<span lang="en">Suggests products.</span> <span class="untranslated">(noch nicht übersetzt)</span>' in german
    )
    english = signed_in(bob).get("/ai/").content.decode()
    assert "Decides small refunds at once." in english and "Erstattungsassistent" not in english
    assert "not yet translated" not in english


def test_a_change_to_a_notice_in_any_language_is_a_new_version_holding_every_language(db):
    purpose = AIPurpose.objects.get(slug="ai-training")
    english = purpose.notice_text_en
    version = purpose.notice_version
    services.purpose_update_notice(purpose=purpose, text=english, translations={"de": "Neu auf Deutsch."})
    purpose.refresh_from_db()
    assert purpose.notice_version == version + 1
    newest = purpose.notices.get(version=version + 1)
    assert (newest.text_en, newest.text_de) == (english, "Neu auf Deutsch.")
    # The same words again publish nothing.
    services.purpose_update_notice(purpose=purpose, text=english, translations={"de": "Neu auf Deutsch."})
    purpose.refresh_from_db()
    assert purpose.notice_version == version + 1
    # The older version keeps its own words.
    assert purpose.notices.get(version=version).text_de != "Neu auf Deutsch."


def test_a_notice_needs_its_english_text(db):
    purpose = AIPurpose.objects.get(slug="ai-training")
    with pytest.raises(ValueError, match="English"):
        services.purpose_update_notice(purpose=purpose, text=" ", translations={"de": "Nur Deutsch."})


def test_the_ledger_records_the_language_the_notice_was_shown_in_english_while_it_had_no_translation(alice, bob):
    purpose = AIPurpose.objects.get(slug="ai-training")
    services.purpose_update_notice(purpose=purpose, text="Only in English for now.", translations={"de": "", "es": ""})
    purpose.refresh_from_db()
    prefer(alice, "de")
    prefer(bob, "es")
    page = signed_in(alice).get("/preferences/").content.decode()
    assert '<span lang="en">Only in English for now.</span>' in page
    signed_in(alice).post("/preferences/ai-training/", {"allowed": "true", "notice_version": purpose.notice_version})
    assert ConsentEvent.objects.get(user=alice, purpose=purpose).language == "en"
    services.purpose_update_notice(
        purpose=purpose, text="Only in English for now.", translations={"es": "Ahora también en español."}
    )
    purpose.refresh_from_db()
    signed_in(bob).post("/preferences/ai-training/", {"allowed": "true", "notice_version": purpose.notice_version})
    assert ConsentEvent.objects.get(user=bob, purpose=purpose).language == "es"


def denied_request(user, kind="export", status="submitted") -> PrivacyRequest:
    return PrivacyRequest.objects.create(
        kind=kind,
        status=status,
        user=user,
        subject_ref=subject_reference(user.pk),
        due_at=timezone.now() + timedelta(days=30),
    )


def test_staff_give_a_denial_reason_per_language_and_each_customer_reads_their_own(
    client, officer, alice, bob, charlie, mailoutbox, django_capture_on_commit_callbacks
):
    prefer(alice, "de")
    prefer(bob, "es")
    requests = [denied_request(alice), denied_request(bob), denied_request(charlie)]
    client.force_login(officer)
    form = client.get("/admin/privacy/privacyrequest/", {}).content.decode()
    assert form  # the queue opens
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/privacy/privacyrequest/",
            {
                "action": "deny",
                "_selected_action": [r.pk for r in requests],
                "deny-reason": "We could not confirm it was you.",
                "deny-reason_de": "Wir konnten nicht bestätigen, dass Sie es waren.",
                "deny-reason_es": "",
            },
            follow=True,
        )
    alices, bobs, charlies = (PrivacyRequest.objects.get(pk=r.pk) for r in requests)
    assert (alices.status, alices.denial_reason_de) == ("denied", "Wir konnten nicht bestätigen, dass Sie es waren.")
    german = visible(signed_in(alice).get(f"/requests/{alices.pk}/"))
    assert "Wir konnten nicht bestätigen, dass Sie es waren." in german and "could not confirm" not in german
    spanish = visible(signed_in(bob).get(f"/requests/{bobs.pk}/"))
    assert f"We could not confirm it was you. {NOTE['es']}" in spanish
    english = visible(signed_in(charlie).get(f"/requests/{charlies.pk}/"))
    assert "We could not confirm it was you." in english and "not yet translated" not in english
    # Alice cannot read Bob's request, in any language.
    assert signed_in(alice).get(f"/requests/{bobs.pk}/").status_code == 404
    mails = {
        message.to[0]: message for message in mailoutbox if "confirm" in message.body or "bestätigen" in message.body
    }
    assert "Wir konnten nicht bestätigen" in mails["alice@example.com"].body
    assert f"We could not confirm it was you. {NOTE['es']}" in mails["bob@example.com"].body
    html = mails["bob@example.com"].alternatives[0][0]
    assert '<span lang="en">We could not confirm it was you.</span>' in html


def test_the_deny_form_asks_english_and_offers_the_customers_own_language(client, officer, alice, bob):
    prefer(alice, "de")
    request = denied_request(alice)
    client.force_login(officer)
    page = client.get(f"/admin/privacy/privacyrequest/{request.pk}/deny/").content.decode()
    assert "Reason in English (the customer reads this)" in page
    assert "Reason in German (Deutsch) (optional)" in page and "Reason in Spanish" not in page
    # Bob reads English: his request's form asks English only.
    bobs = client.get(f"/admin/privacy/privacyrequest/{denied_request(bob).pk}/deny/").content.decode()
    assert "Reason in English" in bobs and "Reason in German" not in bobs
    client.post(f"/admin/privacy/privacyrequest/{request.pk}/deny/", {"deny-reason": "", "deny-reason_de": "Nur so."})
    assert PrivacyRequest.objects.get(pk=request.pk).status == "submitted"  # English is required


def test_an_extension_reason_reaches_a_german_customer_in_german(
    officer, alice, mailoutbox, django_capture_on_commit_callbacks
):
    prefer(alice, "de")
    request = denied_request(alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_extend(
            request=request,
            staff_user=officer,
            days=30,
            reason="Three systems to search.",
            translations={"de": "Drei Systeme sind zu durchsuchen."},
        )
    (mail,) = [m for m in mailoutbox if "Drei Systeme" in m.body]
    assert "Three systems" not in mail.body


def test_the_export_of_a_german_customer_carries_the_german_reason_and_the_english_one_where_there_is_none(alice, bob):
    prefer(alice, "de")
    german = denied_request(alice, status="denied")
    PrivacyRequest.objects.filter(pk=german.pk).update(denial_reason_en="No.", denial_reason_de="Nein.")
    english_only = denied_request(alice, kind="erasure", status="denied")
    PrivacyRequest.objects.filter(pk=english_only.pk).update(denial_reason_en="Only English.")
    denied_request(bob)
    rows = PrivacyRequest.objects.filter(user=alice).order_by("pk")
    with translation.override("de"):
        assert list(sql_lookups(rows, ["pk", "denial_reason"])) == [
            (german.pk, "Nein."),
            (english_only.pk, "Only English."),
        ]
    with translation.override("es"):
        assert [reason for _pk, reason in sql_lookups(rows, ["pk", "denial_reason"])] == ["No.", "Only English."]


def test_the_default_purposes_come_in_every_language_the_catalogues_have(db):
    purpose = AIPurpose.objects.get(slug="ai-training")
    shipped = next(data for data in PURPOSES if data["slug"] == "ai-training")
    with translation.override("de"):
        assert purpose.name_de == str(shipped["name"]) != purpose.name_en
    with translation.override("es"):
        assert purpose.description_es == str(shipped["description"]) != purpose.description_en
    notice = AIPurposeNotice.objects.get(purpose=purpose, version=1)
    assert notice.text_de and notice.text_es and notice.text_de != notice.text_en
    # A text no catalogue translates stays empty, so pages say so rather than pass English off.
    assert in_every_language("name", "Not in any catalogue")["name_de"] == ""


def test_a_new_catalogue_fills_the_default_purposes_but_never_staffs_own_words(db):
    kept = AIPurpose.objects.get(slug="ai-training")
    rewritten = AIPurpose.objects.get(slug="ai-chat-assistant")
    AIPurpose.objects.filter(pk__in=[kept.pk, rewritten.pk]).update(name_de=None, description_de=None)
    AIPurpose.objects.filter(pk=rewritten.pk).update(name_en="Our own words", description_en="Ours too.")
    AIPurposeNotice.objects.filter(purpose=kept, version=1).update(text_de=None)
    ensure_default_purposes()
    kept.refresh_from_db()
    rewritten.refresh_from_db()
    assert kept.name_de and kept.description_de
    assert AIPurposeNotice.objects.get(purpose=kept, version=1).text_de
    assert (rewritten.name_de, rewritten.description_de) == (None, None)
    assert text_in_language(rewritten, "name", "de").language == "en"


def test_guidelines_are_published_with_translations_staff_see_beside_the_english(client, officer):
    client.force_login(officer)
    response = client.post(
        "/admin/privacy/staffguidelines/add/",
        {"text_en": "Be fair.", "text_de": "Seien Sie fair.", "text_es": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    guidelines = StaffGuidelines.objects.get()
    assert (guidelines.text_en, guidelines.text_de, guidelines.text_es) == ("Be fair.", "Seien Sie fair.", None)
    page = client.get(f"/admin/privacy/staffguidelines/{guidelines.pk}/change/").content.decode()
    assert "In German (Deutsch)" in page and "Seien Sie fair." in page and "In Spanish" not in page
    refused = client.post("/admin/privacy/staffguidelines/add/", {"text_en": "", "text_de": "Nur Deutsch."})
    assert refused.status_code == 200 and StaffGuidelines.objects.count() == 1


def test_an_officer_sees_every_version_of_a_notice_in_every_language_on_its_purpose(client, officer):
    purpose = AIPurpose.objects.get(slug="ai-training")
    services.purpose_update_notice(purpose=purpose, text="Second wording.", translations={"de": "Zweite Fassung."})
    client.force_login(officer)
    page = client.get(f"/admin/privacy/aipurpose/{purpose.pk}/change/").content.decode()
    assert "Second wording." in page and "Zweite Fassung." in page
    assert purpose.notices.get(version=1).text_en in page
