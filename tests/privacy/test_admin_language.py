"""Staff see the customer's language on every request, human review and flag, so they answer in it."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from interactions.models import Conversation
from privacy.models import AIOutputFlag, HumanReviewRequest, PrivacyRequest
from privacy.services.requests import subject_reference
from tests.conftest import make_customer
from tests.factories import ConversationFactory


@pytest.fixture
def officer_client(client, settings, db):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    client.force_login(make_customer("officer@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def desk(alice, bob):
    """Alice reads German; Bob, who chose French when it was offered, reads English."""
    alice.preferred_language = "de"
    alice.save(update_fields=["preferred_language"])
    bob.preferred_language = "fr"
    bob.save(update_fields=["preferred_language"])
    made = {}
    for user in (alice, bob):
        conversation = ConversationFactory.create(customer=user)
        ai_system = conversation.ai_system
        assert ai_system is not None
        about = {"content_type": ContentType.objects.get_for_model(Conversation), "object_id": conversation.pk}
        made[user.email] = {
            "privacyrequest": PrivacyRequest.objects.create(
                kind="export",
                status="awaiting_approval",
                user=user,
                subject_ref=subject_reference(user.pk),
                due_at=timezone.now() + timedelta(days=30),
            ),
            "humanreviewrequest": HumanReviewRequest.objects.create(
                user=user, ai_system=ai_system, statement="Please check.", due_at=timezone.now(), **about
            ),
            "aioutputflag": AIOutputFlag.objects.create(user=user, ai_system=ai_system, reason="wrong", **about),
        }
    return made


@pytest.mark.parametrize("model", ["privacyrequest", "humanreviewrequest", "aioutputflag"])
def test_the_list_shows_each_customers_language(officer_client, desk, model):
    html = officer_client.get(f"/admin/privacy/{model}/").content.decode()
    assert 'class="sortable column-language' in html  # a column staff can sort by
    assert '<td class="field-language">German (Deutsch)</td>' in html
    # Bob's withdrawn French reads as the English he is written to in.
    assert '<td class="field-language">English</td>' in html


@pytest.mark.parametrize("model", ["privacyrequest", "humanreviewrequest", "aioutputflag"])
def test_the_page_of_one_item_names_its_customers_language_and_no_one_elses(officer_client, desk, model):
    alices = officer_client.get(f"/admin/privacy/{model}/{desk['alice@example.com'][model].pk}/change/")
    assert alices.status_code == 200
    assert '<div class="readonly">German (Deutsch)</div>' in alices.content.decode()
    assert "Customer’s language:" in alices.content.decode().replace("&#x27;", "’").replace("'", "’")
    bobs = officer_client.get(f"/admin/privacy/{model}/{desk['bob@example.com'][model].pk}/change/").content.decode()
    assert "German" not in bobs and '<div class="readonly">English</div>' in bobs
