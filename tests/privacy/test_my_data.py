import dataclasses
import html
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify

from accounts.demo import DEMO_OFFICER_TOTP_SECRET
from interactions.models import AIInference, Message
from privacy.models import (
    AIPreference,
    AIPurpose,
    ConsentMethod,
    GuidelinesAcknowledgement,
    PurposeSlug,
    StaffGuidelines,
)
from privacy.registry import registry
from privacy.selectors import personal_data_inventory
from privacy.services import preference_set
from privacy.values import display_value
from tests.conftest import make_customer, sign_in
from tests.factories import AIInferenceFactory, ConversationFactory, MessageFactory, give_history


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


def customer_kinds():
    """Every kind of data a customer may hold: staff-only ones answer them 404."""
    return [source for source in registry.sources if not source.staff_only]


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/my-data/")
    assert response["Location"].startswith("/accounts/login/")


def test_it_lists_every_declared_source_with_why_and_what_erasure_does(alice_client, alice, histories):
    page = html.unescape(alice_client.get("/my-data/").content.decode())
    for source in registry.sources:
        if source.staff_only:
            continue
        assert str(source.label) in page
        assert str(source.purpose) in page
        if source.rows_for(alice).exists():  # the others are folded, each linked to its own page
            assert str(source.retention) in page
            assert source.erasure_description in page
    assert "Our legitimate interests" in page and "Needed to provide the service you signed up for" in page


def test_alices_pages_show_every_value_of_hers_and_nothing_of_bobs(client, alice, histories):
    sign_in(client, alice.email)  # real sign-in: a session and a user-session row exist too
    seen_sources = 0
    for source in customer_kinds():
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
    assert "73 % sure" in html


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
    for source in customer_kinds():
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


def test_kinds_of_data_alice_holds_nothing_of_cost_her_page_no_query(client, alice, monkeypatch):
    # One query counts every kind's rows: a count query per kind made the page
    # (busiest of the customer pages under load) cost more with every kind declared.
    client.force_login(alice)
    queries_for_my_data(client)  # what a process reads once (content types and the like)
    before = queries_for_my_data(client)
    nothing = next(
        s for s in registry.sources if s.in_force is None and not s.staff_only and not s.rows_for(alice).exists()
    )
    for number in range(10):
        monkeypatch.setitem(registry._sources, f"more-{number}", dataclasses.replace(nothing))
    assert queries_for_my_data(client) == before


# --- A page a person can read: empty kinds folded, staff-only kinds hidden, AI in words -------------


def overview_of(client) -> str:
    return html.unescape(client.get("/my-data/").content.decode())


def the_fold_of(page: str) -> str:
    """The one expandable line listing the kinds we hold nothing of."""
    folds = re.findall(r'<details class="empty-kinds".*?</details>', page, re.S)
    assert len(folds) == 1, folds
    return folds[0]


def the_card_of(page: str, source_key: str) -> str:
    match = re.search(
        rf'<article class="data-source" aria-labelledby="source-{slugify(source_key)}".*?</article>', page, re.S
    )
    assert match, source_key
    return match.group(0)


def test_the_kinds_alice_holds_nothing_of_are_folded_into_one_line_with_their_count(alice_client, alice, histories):
    page = overview_of(alice_client)
    # Alice's AI choices are never empty: the defaults are in force (tested below).
    empty = [s for s in customer_kinds() if s.in_force is None and not s.rows_for(alice).exists()]
    held = [s for s in registry.sources if s.rows_for(alice).exists()]
    assert len(empty) >= 5 and held
    fold = the_fold_of(page)
    assert f"{len(empty)} other kinds of data: we hold none of these about you" in fold
    for source in empty:
        assert str(source.label) in fold and str(source.purpose) in fold
        assert f'aria-labelledby="source-{slugify(source.key)}"' not in page  # no card of its own
    for source in held:
        assert str(source.label) not in fold
        assert str(source.label) in the_card_of(page, source.key)
    assert "We hold nothing of this kind about you" not in page


def test_a_customer_never_sees_staff_only_kinds_but_a_staff_member_with_such_data_does(client, alice, histories):
    staff_only = {s.key for s in registry.sources if s.staff_only}
    # Every kind that says so to the reader is declared so (and nothing else).
    assert staff_only == {s.key for s in registry.sources if s.description.startswith("For staff only")}
    assert {"admin.logentry", "privacy.guidelinesacknowledgement", "privacy.staffguidelines"} <= staff_only
    client.force_login(alice)
    page = overview_of(client)
    for label in ("Staff guidelines you acknowledged", "Changes you made in the staff admin", "For staff only"):
        assert label not in page
    for key in staff_only:
        assert client.get(f"/my-data/{key}/").status_code == 404

    olivia = make_customer("olivia@example.com", "Olivia Officer", is_staff=True)
    guidelines = StaffGuidelines.objects.create(version=1, text="Be fair.")
    GuidelinesAcknowledgement.objects.create(guidelines=guidelines, user=olivia)
    client.force_login(olivia)
    page = overview_of(client)
    card = the_card_of(page, "privacy.guidelinesacknowledgement")
    assert "Staff guidelines you acknowledged" in card and "guidelines, version 1" in card
    # Her other staff-only kinds are empty: folded with the rest, not hidden from her.
    assert "Changes you made in the staff admin" in the_fold_of(page)
    assert client.get("/my-data/privacy.guidelinesacknowledgement/").status_code == 200
    assert "ALICE-MARK" not in page


def test_an_ai_conclusion_reads_as_words_with_how_sure_the_ai_was(alice_client, alice, bob):
    AIInferenceFactory.create(customer=alice, kind=AIInference.Kind.INTENT, value="promo_issue", confidence=0.73)
    # A code the business's systems send that we have no words for still reads as words.
    AIInferenceFactory.create(customer=alice, kind=AIInference.Kind.INTENT, value="late_delivery_claim", confidence=1)
    AIInferenceFactory.create(customer=bob, kind=AIInference.Kind.INTENT, value="refund_request", confidence=0.41)
    for url in ("/my-data/", "/my-data/interactions.aiinference/"):
        page = html.unescape(alice_client.get(url).content.decode())
        assert "Problem with a promotion" in page and "73 % sure" in page
        assert "Late delivery claim" in page and "100 % sure" in page
        assert "promo_issue" not in page and "late_delivery_claim" not in page
        assert "0.73" not in page and "confidence 1" not in page
        assert "Asking for a refund" not in page and "41 % sure" not in page  # Bob's


def test_your_ai_choices_show_what_is_in_force_for_a_customer_with_no_stored_choices(
    alice_client, alice, bob, client_factory
):
    purposes = list(AIPurpose.objects.filter(is_active=True))
    assert len(purposes) >= 5 and not AIPreference.objects.filter(user=alice).exists()
    card = the_card_of(overview_of(alice_client), "privacy.aipreference")
    for purpose in purposes:
        assert purpose.name in card
    assert card.count("Default: on until you switch it off") == sum(p.default_allowed for p in purposes)
    assert card.count("Default: off until you switch it on") == sum(not p.default_allowed for p in purposes)
    assert "We hold nothing" not in card and 'href="/preferences/"' in card

    # Bob's own choice is his: Alice still sees the default for it.
    automated = AIPurpose.objects.get(slug=PurposeSlug.AUTOMATED_DECISIONS)
    preference_set(user=bob, purpose=automated, allowed=True, method=ConsentMethod.PORTAL)
    assert "Your choice on" not in the_card_of(overview_of(alice_client), "privacy.aipreference")
    bobs_client = client_factory()
    bobs_client.force_login(bob)
    bobs_card = the_card_of(overview_of(bobs_client), "privacy.aipreference")
    assert bobs_card.count("Your choice on") == 1


def speaks(customer, language: str) -> None:
    customer.preferred_language = language
    customer.save(update_fields=["preferred_language"])


def test_my_data_reads_in_the_german_customers_language_kinds_facts_figures_and_values(alice_client, alice, histories):
    speaks(alice, "de")
    page = html.unescape(alice_client.get("/my-data/").content.decode())
    # The kinds of data, their fields, why we hold them, the legal basis, for how long, who receives them.
    assert "Ihr Profil" in page and "Your profile" not in page
    assert "Nachrichten in Ihren Gesprächen" in page and "Messages in your conversations" not in page
    assert "Kundennummer" in page and "Vollständiger Name" in page and "Full name" not in page
    assert "Um Ihnen zu antworten und den Verlauf Ihrer Serviceanfragen aufzubewahren." in page
    assert "Erforderlich, um den von Ihnen gewählten Dienst zu erbringen" in page
    assert "Drei Jahre nach dem Ende des Gesprächs." in page
    assert "Unser Kundenservice-Team" in page
    # The summary figures at the top.
    assert "KI und Sie" in page and "Nur von einem KI-Assistenten beantwortet" in page
    assert "Answered by an AI assistant alone" not in page
    # Choice labels among the values (who sent a message), and the AI badge of the notice.
    assert "KI-Assistent" in page and "AI assistant" not in page
    assert '<mark class="badge ai">KI</mark>' in page


def test_the_erasure_notes_read_in_spanish(alice_client, alice, histories):
    speaks(alice, "es")
    automated = AIPurpose.objects.get(slug="automated-decisions")
    preference_set(user=alice, purpose=automated, allowed=True, method=ConsentMethod.PORTAL)  # a consent record, kept
    page = html.unescape(alice_client.get("/my-data/").content.decode())
    # A kind kept on erasure says why in Spanish; one anonymised names its fields in Spanish.
    assert "Conservados: Debemos poder demostrar a qué dio su consentimiento y cuándo (art. 7.1 del RGPD)" in page
    assert "Anonimizados: Nombre completo, Dirección de correo electrónico, Número de teléfono" in page
    assert "Su elección en este portal" in page  # how the choice was made, a choice's label
    assert "We must be able to" not in page


def test_the_summary_figures_keep_their_english_words_for_an_english_customer(alice_client, alice, histories):
    page = alice_client.get("/my-data/").content.decode()
    assert "Answered by an AI assistant alone" in page and "Your profile" in page


def test_a_cards_head_kept_for_one_customer_never_shows_another_what_is_not_theirs(client, alice, bob):
    # Alice's conversations were handled by an AI system, Bob's by people only: the head of the
    # conversations card (kept once rendered) says "AI involved" to Alice alone, whoever comes first.
    ConversationFactory.create(customer=alice, subject="ALICE-MARK")
    ConversationFactory.create(customer=bob, subject="BOB-MARK", ai_system=None, handled_by="human")

    def conversations_card(customer) -> str:
        client.force_login(customer)
        page = client.get("/my-data/").content.decode()
        start = page.index('aria-labelledby="source-interactionsconversation"')
        return page[start : page.index("</article>", start)]

    for customer, ai, marker in ((bob, False, "BOB-MARK"), (alice, True, "ALICE-MARK"), (bob, False, "BOB-MARK")):
        card = conversations_card(customer)
        assert marker in card and ("AI involved" in card) is ai
