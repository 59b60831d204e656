"""The consent ledger records the language a choice was made in (notice versions are per purpose, not per language)."""

from django.test import Client

from privacy import services
from privacy.models import AIPurpose, ConsentEvent, ConsentMethod
from tests.privacy.test_permission_api import post_consent, tokens  # noqa: F401 - the fixture


def prefer(user, language: str):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


def test_a_choice_in_the_portal_records_the_language_of_the_page(alice_client, alice, bob):
    prefer(alice, "de")
    bob_client = Client()
    bob_client.force_login(bob)
    alice_client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1})
    alice_client.post("/preferences/always-human/", {"allowed": "true"})
    bob_client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1})
    assert [(e.kind, e.language) for e in ConsentEvent.objects.filter(user=alice).order_by("pk")] == [
        ("purpose", "de"),
        ("always_human", "de"),
    ]
    assert ConsentEvent.objects.get(user=bob).language == "en"


def test_a_consent_through_the_api_is_in_the_customers_language_unless_the_call_says_otherwise(
    client,
    tokens,  # noqa: F811 - the fixture
    alice,
    bob,
):
    prefer(alice, "es")
    assert (
        post_consent(client, tokens["writer"], alice, purpose="ai-training", granted=True, notice_version=1).status_code
        == 200
    )
    assert (
        post_consent(
            client, tokens["writer"], alice, purpose="ai-training", granted=False, notice_version=1, language="de"
        ).status_code
        == 200
    )
    assert [e.language for e in ConsentEvent.objects.filter(user=alice).order_by("pk")] == ["es", "de"]
    refused = post_consent(
        client, tokens["writer"], bob, purpose="ai-training", granted=True, notice_version=1, language="fr"
    )
    assert refused.status_code == 400 and "language" in refused.json()
    assert not ConsentEvent.objects.filter(user=bob).exists()


def test_a_privacy_signal_records_the_language_of_the_page_it_came_with(alice, bob):
    prefer(alice, "es")
    browser = Client(HTTP_SEC_GPC="1")
    browser.force_login(alice)
    browser.get("/dashboard/")
    assert {e.language for e in ConsentEvent.objects.filter(user=alice, method="gpc")} == {"es"}
    assert not ConsentEvent.objects.filter(user=bob).exists()


def test_staff_and_defaults_record_the_customers_language_and_a_withdrawn_one_reads_english(alice, bob):
    purpose = AIPurpose.objects.get(slug="ai-training")
    prefer(alice, "de")
    prefer(bob, "fr")  # offered once, without a catalogue
    services.preference_set(user=alice, purpose=purpose, allowed=True, method=ConsentMethod.STAFF)
    services.preference_set(user=bob, purpose=purpose, allowed=True, method=ConsentMethod.STAFF)
    assert ConsentEvent.objects.get(user=alice).language == "de"
    assert ConsentEvent.objects.get(user=bob).language == "en"


def test_the_customers_timeline_shows_the_language_of_each_choice(
    client,
    tokens,  # noqa: F811 - the fixture
    alice_client,
    alice,
):
    post_consent(client, tokens["writer"], alice, purpose="ai-training", granted=True, notice_version=1, language="de")
    html = alice_client.get("/preferences/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "notice v1, in German)" in html
