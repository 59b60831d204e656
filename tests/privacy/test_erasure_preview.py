"""The "Erase my data" page: what would go, counted in words, with the kinds we hold nothing of folded away."""

import html
import re

import pytest
from django.utils import translation

from privacy.models import AIPurpose, ConsentMethod, GuidelinesAcknowledgement, PurposeSlug, StaffGuidelines
from privacy.registry import ErasureAction, registry
from privacy.selectors import erasure_preview
from privacy.services import preference_set
from tests.conftest import make_customer, sign_in_recently
from tests.factories import AIDecisionFactory, give_history


@pytest.fixture
def recent_alice(client, alice):
    sign_in_recently(client, alice.email)
    return client


def preview_of(client) -> str:
    response = client.get("/requests/erasure/")
    assert response.status_code == 200
    return " ".join(html.unescape(response.content.decode()).split())


def the_fold_of(page: str) -> str:
    folds = re.findall(r'<details class="nothing-held">.*?</details>', page, re.S)
    assert len(folds) == 1, folds
    return folds[0]


def outside_the_fold(page: str) -> str:
    return page.replace(the_fold_of(page), "")


def test_it_says_how_much_of_each_kind_would_go_in_words_and_counts_nothing_of_bobs(recent_alice, alice, bob):
    give_history(alice, conversations=3, messages_each=4)
    give_history(bob, conversations=5, messages_each=7)
    AIDecisionFactory.create_batch(2, customer=alice)
    AIDecisionFactory.create_batch(4, customer=bob)
    page = outside_the_fold(preview_of(recent_alice))
    assert "12 messages in 3 conversations" in page
    assert "3 conversations" in page and "3 conclusions" in page and "2 decisions" in page
    assert "1 profile" in page and "1 e-mail address" in page
    for bobs in ("35 messages", "47 messages", "5 conversations", "8 conversations", "6 decisions", "4 decisions"):
        assert bobs not in page


def test_one_of_a_kind_reads_in_the_singular_and_large_counts_are_grouped(recent_alice, alice):
    give_history(alice, conversations=1, messages_each=1)
    assert "1 message in 1 conversation" in preview_of(recent_alice)
    messages = registry.source("interactions.message")
    assert messages.count_in_words(1212) == "1,212 messages"
    with translation.override("de"):
        assert messages.count_in_words(1212) == "1.212 Nachrichten"
        assert messages.count_in_words(1) == "1 Nachricht"


def test_kinds_holding_nothing_are_folded_into_one_expandable_line(recent_alice, alice):
    give_history(alice)
    page = preview_of(recent_alice)
    fold = the_fold_of(page)
    held = [s for s in registry.sources if s.rows_for(alice).exists()]
    empty = [s for s in registry.sources if not s.staff_only and not s.rows_for(alice).exists()]
    assert held and len(empty) >= 5
    assert f"<summary>{len(empty)} other kinds of data: we hold none of these about you</summary>" in fold
    for source in empty:
        assert str(source.label) in fold and str(source.label) not in outside_the_fold(page)
    for source in held:
        assert str(source.label) not in fold and str(source.label) in outside_the_fold(page)


def test_kept_kinds_give_their_reason_and_a_customer_with_none_is_told_so(recent_alice, alice):
    assert "Nothing: we keep none of your data once it is erased." in preview_of(recent_alice)
    automated = AIPurpose.objects.get(slug=PurposeSlug.AUTOMATED_DECISIONS)
    preference_set(user=alice, purpose=automated, allowed=False, method=ConsentMethod.PORTAL)
    page = preview_of(recent_alice)
    kept = [
        s
        for s in registry.sources
        if s.erasure.action == ErasureAction.RETAIN and not s.staff_only and s.rows_for(alice).exists()
    ]
    assert [s.key for s in kept] == ["privacy.consentevent"]
    assert "History of your AI choices: 1 change" in re.sub(r"<[^>]+>", "", outside_the_fold(page))
    assert str(registry.source("privacy.consentevent").erasure.reason) in page
    assert "Nothing: we keep none" not in page


def test_a_customer_never_sees_staff_only_kinds_but_staff_do(recent_alice, client_factory, settings):
    page = preview_of(recent_alice)
    for source in registry.sources:
        if source.staff_only:
            assert str(source.label) not in page, source.key
    assert "For staff only" not in page

    settings.PORTAL_STAFF_REQUIRE_MFA = False
    olivia = make_customer("olivia@example.com", "Olivia Okafor", is_staff=True)
    guidelines = StaffGuidelines.objects.create(version=1, text="Be fair.", published_by=olivia)
    GuidelinesAcknowledgement.objects.create(guidelines=guidelines, user=olivia)
    staff = client_factory()
    sign_in_recently(staff, olivia.email)
    page = preview_of(staff)
    assert "Staff guidelines you acknowledged" in outside_the_fold(page)
    assert "1 acknowledgement" in page and "1 version" in page
    assert "Changes you made in the staff admin" in the_fold_of(page)


def test_the_preview_counts_what_each_kind_holds_for_this_customer_alone(alice, bob):
    give_history(alice, conversations=2, messages_each=2)
    give_history(bob, conversations=4, messages_each=3)
    preview = erasure_preview(user=alice)
    items = {item.label: item for item in [*preview.deleted, *preview.anonymised, *preview.retained]}
    assert items["Messages in your conversations"].held == "4 messages in 2 conversations"
    assert items["Your conversations"].held == "2 conversations"
    assert not any(item.label == "Messages in your conversations" for item in preview.nothing_held)
