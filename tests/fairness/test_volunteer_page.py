"""The "Help us check our AI is fair" page: volunteering attributes with explicit consent, and withdrawing it."""

import html
import re

import pytest

from fairness.models import MonitoringConsent, RecordedAttribute, VolunteeredAttribute
from privacy.models import AuditEvent
from tests.fairness.conftest import customers, decide, group_of, run_audit, unit_of


def answer(client, *, consent=True, notice_version=1, **answers):
    data = {f"answer_{key}": value for key, value in answers.items()}
    data["notice_version"] = notice_version
    if consent:
        data["consent"] = "on"
    return client.post("/fairness/", data)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/fairness/")["Location"].startswith("/accounts/login/")


def test_the_page_explains_the_purpose_and_asks_only_what_customers_may_give(alice_client):
    text = html.unescape(alice_client.get("/fairness/").content.decode())
    assert "No AI system ever receives them" in text and "not given" in text
    assert "How do you describe your gender?" in text and "Which age band are you in?" in text
    assert "special-category data" in text
    assert "answer_language" not in text and "answer_region" not in text  # the business's, not asked


def test_answers_are_saved_with_explicit_consent_and_recorded_in_the_ledger(alice_client, alice):
    response = answer(alice_client, gender="woman", age_band="35_44", disability="")
    assert response.status_code == 302
    assert dict(VolunteeredAttribute.objects.filter(customer=alice).values_list("attribute", "value")) == {
        "gender": "woman",
        "age_band": "35_44",
    }
    consent = MonitoringConsent.objects.get(customer=alice)
    assert consent.granted and consent.notice_version == 1
    event = AuditEvent.objects.get(action="fairness.attributes_volunteered")
    assert event.details == {"attributes": ["age_band", "gender"]}  # which, never the answers


def test_answers_without_the_consent_box_are_refused(alice_client, alice):
    response = answer(alice_client, consent=False, gender="woman")
    assert response.status_code == 200
    assert "we need your explicit consent" in html.unescape(response.content.decode())
    assert not VolunteeredAttribute.objects.exists() and not MonitoringConsent.objects.exists()


def test_an_unknown_answer_is_refused(alice_client):
    response = answer(alice_client, gender="robot")
    assert response.status_code == 200 and not VolunteeredAttribute.objects.exists()


def test_a_stale_notice_version_is_refused(alice_client):
    response = answer(alice_client, gender="woman", notice_version=99)
    assert response.status_code == 302 and not VolunteeredAttribute.objects.exists()


def test_withdrawing_deletes_the_answers_and_records_the_withdrawal(alice_client, alice, bob, client_factory):
    bob_client = client_factory()
    bob_client.force_login(bob)
    answer(alice_client, gender="woman")
    answer(bob_client, gender="man")
    alice_client.post("/fairness/withdraw/")
    assert not VolunteeredAttribute.objects.filter(customer=alice).exists()
    assert VolunteeredAttribute.objects.filter(customer=bob).exists()  # Bob's answers are his
    assert [c.granted for c in MonitoringConsent.objects.filter(customer=alice)] == [False, True]
    assert AuditEvent.objects.filter(action="fairness.consent_withdrawn", object_id=str(alice.pk)).exists()


def test_withdrawing_consent_removes_a_volunteered_attribute_from_the_next_audit(
    alice_client, alice, refund_assistant, settings
):
    settings.PORTAL_FAIRNESS_MIN_GROUP_SIZE = 1
    settings.PORTAL_FAIRNESS_MIN_CUSTOMERS = 1
    answer(alice_client, gender="woman")
    others = customers(3, volunteered={"gender": "man"})
    decide([alice], refund_assistant, favourable=2, unfavourable=1)
    decide(others, refund_assistant, favourable=3, unfavourable=3)
    before = unit_of(run_audit(), refund_assistant, "gender")
    assert group_of(before, "woman").decisions == 3
    alice_client.post("/fairness/withdraw/")
    after = unit_of(run_audit(), refund_assistant, "gender")
    assert "woman" not in {g.values[0] for g in after.groups.all()}
    assert group_of(after, "").decisions == 3  # counted under "not given" now
    assert group_of(after, "man").decisions == 6


def test_a_volunteered_value_wins_over_the_business_value(alice_client, alice, refund_assistant, settings):
    settings.PORTAL_FAIRNESS_MIN_GROUP_SIZE = settings.PORTAL_FAIRNESS_MIN_CUSTOMERS = 1
    RecordedAttribute.objects.create(customer=alice, attribute="age_band", value="65_plus")
    answer(alice_client, age_band="25_34")
    decide([alice], refund_assistant, favourable=1)
    unit = unit_of(run_audit(), refund_assistant, "age_band")
    assert [tuple(g.values) for g in unit.groups.all()] == [("25_34",)]


def test_my_data_shows_her_attributes_with_a_link_to_change_them_and_bob_sees_none_of_them(
    alice_client, alice, bob, client_factory
):
    bob_client = client_factory()
    bob_client.force_login(bob)
    RecordedAttribute.objects.create(customer=alice, attribute="region", value="zebra-north")
    answer(alice_client, gender="non_binary", disability="yes")
    text = html.unescape(alice_client.get("/my-data/").content.decode())
    assert "What you told us to help check our AI is fair" in text and "Special-category data" in text
    assert "Non-binary" in text and "Disability or long-term health condition" in text
    assert "Zebra North" in text and 'href="/fairness/"' in text
    for url in ("/my-data/", "/my-data/fairness.volunteeredattribute/", "/my-data/fairness.recordedattribute/"):
        bobs = html.unescape(bob_client.get(url).content.decode())
        assert "Non-binary" not in bobs and "Zebra North" not in bobs
    bobs_form = bob_client.get("/fairness/").content.decode()
    assert not re.search(r'value="(non_binary|yes)"[^>]*checked', bobs_form)
    assert re.search(r'value="non_binary"[^>]*checked', alice_client.get("/fairness/").content.decode())


@pytest.mark.parametrize("source", ["fairness.volunteeredattribute", "fairness.recordedattribute"])
def test_the_attributes_are_exported(alice, source):
    from privacy.selectors import personal_data_inventory

    RecordedAttribute.objects.create(customer=alice, attribute="region", value="north")
    VolunteeredAttribute.objects.create(customer=alice, attribute="gender", value="woman")
    inventory = personal_data_inventory(user=alice)
    rows = next(s["rows"] for s in inventory["sources"] if s["source"] == source)
    assert len(rows) == 1 and {"attribute", "value"} <= set(rows[0])


def test_a_german_customer_reads_what_she_gave_for_fairness_checks_in_german_on_my_data(alice_client, alice, bob):
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    answer(alice_client, age_band="65_plus")
    text = html.unescape(alice_client.get("/my-data/").content.decode())
    assert "Was Sie uns mitgeteilt haben, um zu prüfen, ob unsere KI fair ist" in text
    assert "Ihre Einwilligung in Fairness-Prüfungen" in text and "Einwilligung erteilt" in text
    assert "Bis Sie Ihre Einwilligung widerrufen oder Ihre Daten löschen lassen." in text
    assert "Your consent to fairness checks" not in text
    assert not VolunteeredAttribute.objects.filter(customer=bob).exists()
