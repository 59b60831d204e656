import html

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.demo import DEMO_OFFICER_TOTP_SECRET
from interactions.models import Message
from privacy.registry import registry
from privacy.selectors import personal_data_inventory
from privacy.values import display_value
from tests.conftest import sign_in
from tests.factories import ConversationFactory, MessageFactory, give_history


@pytest.fixture
def histories(alice, bob):
    give_history(alice, marker="ALICE-MARK")
    give_history(bob, marker="BOB-MARK")


def all_pages_of(client, source_key: str) -> str:
    text, page = "", 1
    while True:
        response = client.get(f"/my-data/{source_key}/?page={page}")
        assert response.status_code == 200
        text += html.unescape(response.content.decode())
        if 'rel="next"' not in response.content.decode():
            return text
        page += 1


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/my-data/")
    assert response["Location"].startswith("/accounts/login/")


def test_it_lists_every_declared_source_with_why_and_what_erasure_does(alice_client, histories):
    page = html.unescape(alice_client.get("/my-data/").content.decode())
    for source in registry.sources:
        assert source.label in page
        assert source.purpose in page
        assert source.retention in page
        assert source.erasure.description in page
    assert "Our legitimate interests" in page and "Needed to provide the service you signed up for" in page


def test_alices_pages_show_every_value_of_hers_and_nothing_of_bobs(client, alice, histories):
    sign_in(client, alice.email)  # real sign-in: a session and a user-session row exist too
    seen_sources = 0
    for source in registry.sources:
        text = all_pages_of(client, source.key)
        rows = list(source.rows_for(alice))
        seen_sources += bool(rows)
        for row in rows:
            for personal_field in source.fields:
                value = display_value(row, source, personal_field)
                if value != "—":
                    assert value in text, (source.key, personal_field.name, value)
        assert "BOB-MARK" not in text and "bob@example.com" not in text
    assert seen_sources >= 6  # profile, address, session, conversations, messages, inferences
    overview = client.get("/my-data/").content.decode()
    assert "ALICE-MARK" in overview and "BOB-MARK" not in overview


def test_ai_derived_values_are_marked_with_their_ai_system_and_confidence(alice_client, histories):
    html = alice_client.get("/my-data/interactions.aiinference/").content.decode()
    assert "inferred by AI" in html
    assert "Intent Analyser" in html or "intent" in html.lower()
    assert "confidence 0.73" in html


def test_the_ai_and_you_summary_counts_alices_service(alice_client, alice, histories):
    html = alice_client.get("/my-data/").content.decode()
    assert "AI and you" in html
    assert "Conversations" in html
    # give_history: 2 conversations, both AI-handled, 2 inferences.
    summary = dict(registry.summaries[0].provider(alice))
    assert summary["Conversations"] == 2
    assert summary["Answered by an AI assistant alone"] == 2
    assert summary["Conclusions AI drew about you"] == 2


def test_secrets_never_appear(client, alice, histories):
    sign_in(client, alice.email)
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    alice.refresh_from_db()
    secrets_ = [alice.password, DEMO_OFFICER_TOTP_SECRET, client.session.session_key]
    secrets_ += [str(a.data.get("secret")) for a in Authenticator.objects.filter(user=alice)]
    pages = client.get("/my-data/").content.decode()
    for source in registry.sources:
        pages += all_pages_of(client, source.key)
    inventory = str(personal_data_inventory(user=alice))
    for secret in secrets_:
        assert secret not in pages
        assert secret not in inventory


def test_long_histories_are_paginated_newest_first(alice_client, alice):
    conversation = ConversationFactory.create(customer=alice)
    MessageFactory.create_batch(60, conversation=conversation)
    newest = Message.objects.filter(conversation=conversation).order_by("-sent_at").first()
    assert newest is not None
    first_page = alice_client.get("/my-data/interactions.message/").content.decode()
    assert newest.body in first_page
    assert "Page 1 of 3" in first_page
    assert "Page 3 of 3" in alice_client.get("/my-data/interactions.message/?page=3").content.decode()


def test_an_unknown_kind_of_data_is_404(alice_client):
    assert alice_client.get("/my-data/accounts.nothing/").status_code == 404


def test_bob_asking_for_a_source_sees_only_his_rows(bob_client, histories):
    html = all_pages_of(bob_client, "interactions.message")
    assert "BOB-MARK" in html and "ALICE-MARK" not in html


def queries_for_my_data(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/my-data/").status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_data(client, alice, bob):
    give_history(alice, conversations=2, messages_each=5, marker="small")  # 10 messages
    client.force_login(alice)
    small = queries_for_my_data(client)
    conversation = ConversationFactory.create(customer=bob)
    MessageFactory.create_batch(2000, conversation=conversation)
    give_history(bob, conversations=2, messages_each=5, marker="big")
    client.force_login(bob)
    assert Message.objects.filter(conversation__customer=bob).count() == 2010
    assert queries_for_my_data(client) == small
