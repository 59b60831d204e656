import re

import pytest
from django.test import Client

from privacy.models import AIPreference, AIPurpose, ConsentEvent
from privacy.selectors import ai_permissions


def permission(user, slug):
    return next(p for p in ai_permissions(user=user) if p.purpose.slug == slug)


def test_each_default_follows_the_legal_basis(alice):
    for p in ai_permissions(user=alice):
        assert p.reason == "default"
        assert p.allowed is (p.purpose.legal_basis == AIPurpose.LegalBasis.LEGITIMATE_INTERESTS)
    assert permission(alice, "ai-chat-assistant").allowed  # legitimate interests: on
    assert not permission(alice, "ai-training").allowed  # consent: off until opted in
    assert not permission(alice, "automated-decisions").allowed


def test_the_page_shows_each_purpose_with_its_state_and_where_it_came_from(alice_client):
    html = alice_client.get("/preferences/").content.decode()
    for purpose in AIPurpose.objects.filter(is_active=True):
        assert purpose.name in html
    assert "Default: on until you switch it off" in html
    assert "Default: off until you switch it on" in html


def test_switching_off_writes_exactly_one_ledger_event_with_the_notice_version(alice_client, alice):
    purpose = AIPurpose.objects.get(slug="ai-chat-assistant")
    response = alice_client.post(f"/preferences/{purpose.slug}/", {"allowed": "false", "notice_version": 1})
    assert response.status_code == 302
    event = ConsentEvent.objects.get(user=alice)
    assert (event.purpose, event.granted, event.method, event.notice_version) == (purpose, False, "portal", 1)
    assert not permission(alice, purpose.slug).allowed
    assert permission(alice, purpose.slug).reason == "choice"
    # The same choice again records nothing new.
    alice_client.post(f"/preferences/{purpose.slug}/", {"allowed": "false", "notice_version": 1})
    assert ConsentEvent.objects.filter(user=alice).count() == 1


def test_opting_in_to_a_consent_purpose_and_out_again_is_two_events(alice_client, alice):
    alice_client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1})
    assert permission(alice, "ai-training").allowed
    alice_client.post("/preferences/ai-training/", {"allowed": "false", "notice_version": 1})
    assert [e.granted for e in ConsentEvent.objects.filter(user=alice).order_by("pk")] == [True, False]


def test_the_timeline_shows_the_customers_changes(alice_client):
    alice_client.post("/preferences/ai-drafted-replies/", {"allowed": "false", "notice_version": 1})
    html = alice_client.get("/preferences/").content.decode()
    assert "AI-drafted replies to my messages: off" in html
    assert "notice v1" in html


def test_with_htmx_the_switch_answers_with_the_updated_fragment(alice_client):
    response = alice_client.post(
        "/preferences/ai-drafted-replies/", {"allowed": "false", "notice_version": 1}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment, swapped in place
    assert "AI-drafted replies to my messages: off" in html


def test_always_a_human_switches_every_purpose_off_and_says_why(alice_client, alice):
    alice_client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1})
    alice_client.post("/preferences/always-human/", {"allowed": "true"})
    for p in ai_permissions(user=alice):
        assert (p.allowed, p.reason) == (False, "always_human")
    assert ConsentEvent.objects.filter(user=alice, kind="always_human", granted=True).count() == 1
    alice_client.post("/preferences/always-human/", {"allowed": "false"})
    assert permission(alice, "ai-training").allowed  # her own choice is back in force


def test_an_unknown_purpose_is_404(alice_client):
    assert alice_client.post("/preferences/mind-reading/", {"allowed": "true", "notice_version": 1}).status_code == 404


def test_a_value_other_than_on_or_off_is_refused(alice_client, alice):
    assert alice_client.post("/preferences/ai-training/", {"allowed": "maybe", "notice_version": 1}).status_code == 404
    assert not ConsentEvent.objects.filter(user=alice).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/preferences/")["Location"].startswith("/accounts/login/")
    assert client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1})["Location"].startswith(
        "/accounts/login/"
    )


def test_bobs_switches_change_only_bobs_choices(bob_client, alice, bob):
    bob_client.post("/preferences/ai-chat-assistant/", {"allowed": "false", "notice_version": 1})
    bob_client.post("/preferences/always-human/", {"allowed": "true"})
    assert not AIPreference.objects.filter(user=alice).exists()
    assert not ConsentEvent.objects.filter(user=alice).exists()
    assert permission(alice, "ai-chat-assistant").allowed


def test_bob_never_sees_alices_choices(client, alice, bob):
    alice_browser = Client()
    alice_browser.force_login(alice)
    alice_browser.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1})
    client.force_login(bob)
    html = client.get("/preferences/").content.decode()
    assert "Use of my conversations to train or improve AI: on" not in html
    assert "No changes yet" in html


@pytest.mark.django_db
def test_csrf_is_enforced(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1}).status_code == 403
    assert not ConsentEvent.objects.filter(user=alice).exists()
    page = browser.get("/preferences/")
    token = page.cookies["csrftoken"].value
    response = browser.post(
        "/preferences/ai-training/", {"allowed": "true", "notice_version": 1, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert ConsentEvent.objects.filter(user=alice).count() == 1


def test_the_ledger_cannot_be_edited_or_deleted(alice_client, alice):
    from privacy.models import AppendOnlyError

    alice_client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1})
    event = ConsentEvent.objects.get(user=alice)
    event.granted = False
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_a_new_notice_text_is_a_new_version_and_old_choices_keep_theirs(alice_client, alice):
    from privacy.services import purpose_update_notice

    alice_client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1})
    purpose = purpose_update_notice(purpose=AIPurpose.objects.get(slug="ai-training"), text="New wording.")
    assert purpose.notice_version == 2
    assert list(purpose.notices.values_list("version", flat=True)) == [2, 1]
    assert permission(alice, "ai-training").notice_version == 1


def test_the_six_purposes_exist_and_staff_edits_survive_another_migrate(db):
    from privacy.default_purposes import ensure_default_purposes

    assert AIPurpose.objects.count() == 6
    AIPurpose.objects.filter(slug="ai-training").update(name="Training our AI", is_active=False)
    ensure_default_purposes()
    purpose = AIPurpose.objects.get(slug="ai-training")
    assert (purpose.name, purpose.is_active, AIPurpose.objects.count()) == ("Training our AI", False, 6)


def test_a_choice_made_against_an_outdated_notice_is_not_recorded(alice_client, alice):
    from privacy.services import purpose_update_notice

    purpose_update_notice(purpose=AIPurpose.objects.get(slug="ai-training"), text="New wording.")
    response = alice_client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1}, follow=True)
    assert "has just changed" in response.content.decode()
    assert not ConsentEvent.objects.filter(user=alice).exists()
    alice_client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 2})
    assert ConsentEvent.objects.get(user=alice).notice_version == 2


def test_with_htmx_the_change_is_announced_in_the_live_region_and_not_shown_again_on_the_next_page(alice_client):
    response = alice_client.post(
        "/preferences/ai-drafted-replies/", {"allowed": "false", "notice_version": 1}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    status = re.search(r'<div id="preferences-status" hx-swap-oob="innerHTML">(.*?)</div>', html, re.S)
    assert status is not None
    assert "“AI-drafted replies to my messages” is now off." in status.group(1)
    assert "is now off" not in alice_client.get("/preferences/").content.decode()  # said once, where it happened


def test_the_page_has_a_polite_live_region_outside_the_part_htmx_replaces(alice_client):
    html = alice_client.get("/preferences/").content.decode()
    region = re.search(r'<div id="preferences-status"[^>]*>', html)
    assert region is not None and 'aria-live="polite"' in region.group() and 'role="status"' in region.group()
    assert html.index('id="preferences-status"') < html.index('id="preferences-body"')
    assert re.search(r'<script src="/static/js/preferences\.js" defer></script>', html)


def test_each_switch_has_an_id_that_survives_the_swap_so_focus_can_stay_on_it(alice_client):
    ids = ['id="switch-always-human"', 'id="switch-ai-drafted-replies"', 'id="switch-ai-training"']
    page = alice_client.get("/preferences/").content.decode()
    fragment = alice_client.post(
        "/preferences/ai-drafted-replies/", {"allowed": "false", "notice_version": 1}, HTTP_HX_REQUEST="true"
    ).content.decode()
    for switch_id in ids:
        assert page.count(switch_id) == 1 and fragment.count(switch_id) == 1


def test_without_javascript_the_switch_redirects_and_the_page_says_what_changed(alice_client):
    response = alice_client.post("/preferences/ai-drafted-replies/", {"allowed": "false", "notice_version": 1})
    assert response.status_code == 302 and response["Location"] == "/preferences/"
    html = alice_client.get("/preferences/").content.decode()
    assert html.count("“AI-drafted replies to my messages” is now off.") == 1


def test_on_and_off_are_shown_in_neutral_colours_not_as_a_warning(alice_client):
    alice_client.post("/preferences/always-human/", {"allowed": "true"})
    html = alice_client.get("/preferences/").content.decode()
    assert re.search(r'<mark class="badge ai-state-off">off</mark>', html)
    assert re.search(r'<mark class="badge ai-state-on">on</mark>', html)  # "Always a person"
    assert "badge warn" not in html and "badge ok" not in html
