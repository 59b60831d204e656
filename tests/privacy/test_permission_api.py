import uuid
from typing import Any

import pytest

from privacy import selectors, services
from privacy.models import ConsentEvent


@pytest.fixture
def tokens(db):
    _, reader = services.api_client_create(name="Reader", scopes=["permissions:read"])
    _, writer = services.api_client_create(name="Writer", scopes=["permissions:read", "permissions:write"])
    return {"reader": reader, "writer": writer}


def get_permissions(client, token, customer):
    return client.get(f"/api/v1/customers/{customer.public_id}/ai-permissions/", HTTP_AUTHORIZATION=f"Bearer {token}")


def post_consent(client, token, customer, **body):
    return client.post(
        f"/api/v1/customers/{customer.public_id}/consents/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def by_purpose(response) -> dict[str, Any]:
    return {p["purpose"]: p for p in response.json()["permissions"]}


def test_it_answers_every_purpose_with_why_since_and_notice_version(client, tokens, alice):
    response = get_permissions(client, tokens["reader"], alice)
    assert response.status_code == 200
    permissions = by_purpose(response)
    assert permissions["ai-chat-assistant"]["allowed"] is True
    assert permissions["ai-chat-assistant"]["reason"] == "default"
    assert permissions["ai-training"]["allowed"] is False
    assert permissions["ai-training"]["notice_version"] == 1
    assert permissions["ai-training"]["since"]


def test_it_answers_with_a_change_immediately_after_it_is_made(client, alice_client, tokens, alice):
    assert by_purpose(get_permissions(client, tokens["reader"], alice))["ai-chat-assistant"]["allowed"]
    alice_client.post("/preferences/ai-chat-assistant/", {"allowed": "false", "notice_version": 1})
    permission = by_purpose(get_permissions(client, tokens["reader"], alice))["ai-chat-assistant"]
    assert (permission["allowed"], permission["reason"]) == (False, "choice")
    alice_client.post("/preferences/always-human/", {"allowed": "true"})
    assert by_purpose(get_permissions(client, tokens["reader"], alice))["ai-training"]["reason"] == "always_human"


def test_a_change_to_a_purpose_reaches_the_very_next_answer(client, tokens, alice):
    from privacy.models import AIPurpose
    from privacy.services import purpose_update_notice

    assert by_purpose(get_permissions(client, tokens["reader"], alice))["ai-training"]["notice_version"] == 1
    purpose_update_notice(purpose=AIPurpose.objects.get(slug="ai-training"), text="Reworded.")
    assert by_purpose(get_permissions(client, tokens["reader"], alice))["ai-training"]["notice_version"] == 2


def test_a_purpose_retired_added_or_moved_shows_in_the_very_next_answer(client, tokens, alice):
    from privacy.models import AIPurpose

    def slugs():
        return [p["purpose"] for p in get_permissions(client, tokens["reader"], alice).json()["permissions"]]

    before = slugs()
    assert "ai-training" in before
    AIPurpose.objects.filter(slug="ai-training").update(is_active=False)
    assert slugs() == [slug for slug in before if slug != "ai-training"]
    AIPurpose.objects.create(
        slug="ai-summaries", name="Summaries", legal_basis="consent", notice_text="We summarise.", display_order=0
    )
    assert slugs()[0] == "ai-summaries"
    AIPurpose.objects.filter(slug="ai-summaries").update(display_order=10_000)
    assert slugs()[-1] == "ai-summaries"


def test_a_purpose_renamed_in_any_language_takes_its_new_place_in_the_very_next_answer(client, tokens, alice):
    from privacy.models import AIPurpose

    AIPurpose.objects.update(display_order=1)  # the order then rests on the name, as on every page

    def slugs(language):
        answer = client.get(
            f"/api/v1/customers/{alice.public_id}/ai-permissions/",
            HTTP_AUTHORIZATION=f"Bearer {tokens['reader']}",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        return [p["purpose"] for p in answer.json()["permissions"]]

    before = slugs("de")
    AIPurpose.objects.filter(slug=before[-1]).update(name_de="Aaa zuerst")
    assert slugs("de")[0] == before[-1]
    assert slugs("en") == list(
        AIPurpose.objects.filter(is_active=True).order_by("display_order", "name_en").values_list("slug", flat=True)
    )


def test_purposes_are_read_again_only_when_their_stamp_changes(alice, django_assert_num_queries, monkeypatch):
    from privacy.models import AIPurpose
    from privacy.selectors import permissions
    from privacy.services import purpose_update_notice

    monkeypatch.setattr(permissions, "_purposes_by_stamp", {})  # nothing read by an earlier test

    def purposes_stamp() -> Any:
        read: Any = selectors.active_customer_with_overrides(alice.public_id)
        return read._purposes_stamp

    stamp = purposes_stamp()
    first = selectors.active_purposes_at(stamp)
    with django_assert_num_queries(0):
        assert selectors.active_purposes_at(stamp) is first
    purpose_update_notice(purpose=AIPurpose.objects.get(slug="ai-training"), text="Reworded.")
    new_stamp = purposes_stamp()
    assert new_stamp != stamp
    with django_assert_num_queries(1):
        again = selectors.active_purposes_at(new_stamp)
    assert {p.slug: p.notice_version for p in again}["ai-training"] == 2


def test_always_a_human_is_the_reason_given_for_every_purpose(client, alice_client, tokens, alice):
    alice_client.post("/preferences/always-human/", {"allowed": "true"})
    for permission in by_purpose(get_permissions(client, tokens["reader"], alice)).values():
        assert (permission["allowed"], permission["reason"]) == (False, "always_human")


def test_a_consent_captured_elsewhere_is_recorded_with_method_api(client, tokens, alice):
    response = post_consent(client, tokens["writer"], alice, purpose="ai-training", granted=True, notice_version=1)
    assert response.status_code == 200
    assert by_purpose(response)["ai-training"]["allowed"] is True
    event = ConsentEvent.objects.get(user=alice)
    assert (event.method, event.notice_version, event.granted) == ("api", 1, True)


def test_a_consent_without_a_notice_version_is_refused(client, tokens, alice):
    response = post_consent(client, tokens["writer"], alice, purpose="ai-training", granted=True)
    assert response.status_code == 400
    assert "notice_version" in response.json()
    assert not ConsentEvent.objects.exists()


def test_a_notice_version_that_does_not_exist_yet_is_refused(client, tokens, alice):
    response = post_consent(client, tokens["writer"], alice, purpose="ai-training", granted=True, notice_version=9)
    assert response.status_code == 400
    assert "notice_version" in response.json()


def test_an_unknown_purpose_is_refused(client, tokens, alice):
    response = post_consent(client, tokens["writer"], alice, purpose="mind-reading", granted=True, notice_version=1)
    assert response.status_code == 400
    assert "purpose" in response.json()


def test_reading_needs_permissions_read_and_writing_permissions_write(client, tokens, alice):
    _, ingest_only = services.api_client_create(name="Ingest", scopes=["interactions:write"])
    assert get_permissions(client, ingest_only, alice).status_code == 403
    response = post_consent(client, tokens["reader"], alice, purpose="ai-training", granted=True, notice_version=1)
    assert response.status_code == 403
    assert not ConsentEvent.objects.exists()


def test_no_token_is_401(client, alice):
    assert client.get(f"/api/v1/customers/{alice.public_id}/ai-permissions/").status_code == 401


def test_an_unknown_customer_is_404(client, tokens, alice):
    response = client.get(
        f"/api/v1/customers/{uuid.uuid4()}/ai-permissions/", HTTP_AUTHORIZATION=f"Bearer {tokens['reader']}"
    )
    assert response.status_code == 404


def test_a_consent_for_bob_changes_nothing_of_alices(client, tokens, alice, bob):
    post_consent(client, tokens["writer"], bob, purpose="ai-training", granted=True, notice_version=1)
    assert by_purpose(get_permissions(client, tokens["reader"], alice))["ai-training"]["allowed"] is False


def test_the_ping_endpoint_names_the_client_and_its_scopes(client, tokens):
    response = client.get("/api/v1/ping/", HTTP_AUTHORIZATION=f"Bearer {tokens['writer']}")
    assert response.json() == {"client": "Writer", "scopes": ["permissions:read", "permissions:write"]}
    assert client.get("/api/v1/ping/").status_code == 401


def test_a_customer_deactivated_by_staff_is_unknown_to_the_api_at_once(client, tokens, alice, settings):
    from django.test import Client

    from tests.conftest import make_customer

    assert get_permissions(client, tokens["reader"], alice).status_code == 200
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    staff = Client()
    staff.force_login(make_customer("officer@example.com", is_staff=True, is_superuser=True))
    form = staff.get(f"/admin/accounts/user/{alice.pk}/change/").context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None
        and k not in ("password", "groups", "user_permissions", "last_login", "date_joined", "public_id")
    }
    data.update(is_active="", preferred_language="en")
    assert staff.post(f"/admin/accounts/user/{alice.pk}/change/", data).status_code == 302
    assert get_permissions(client, tokens["reader"], alice).status_code == 404


def test_a_customer_asked_about_for_the_first_time_costs_one_query_beyond_the_token_check(
    client, tokens, alice, bob, charlie
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from privacy.models import AIPurpose, ConsentMethod

    services.preference_set(
        user=bob, purpose=AIPurpose.objects.get(slug="ai-training"), allowed=True, method=ConsentMethod.PORTAL
    )
    services.preference_set(
        user=bob, purpose=AIPurpose.objects.get(slug="ai-chat-assistant"), allowed=False, method=ConsentMethod.GPC
    )
    client.get("/api/v1/ping/", HTTP_AUTHORIZATION=f"Bearer {tokens['reader']}")
    with CaptureQueriesContext(connection) as floor:
        client.get("/api/v1/ping/", HTTP_AUTHORIZATION=f"Bearer {tokens['reader']}")
    get_permissions(client, tokens["reader"], alice)  # reads the purposes once
    with CaptureQueriesContext(connection) as cold:
        answer = get_permissions(client, tokens["reader"], bob)
    assert answer.status_code == 200
    # The customer with every override (always a person, a pending erasure), their choices and the
    # purposes' stamp, in one.
    assert len(cold) - len(floor) == 1, [q["sql"] for q in cold]
    # The choices read that way are the same as read one by one (both engines pack them as JSON text).
    for purpose, permission in by_purpose(answer).items():
        expected = selectors.ai_permission_for(user=bob, purpose=AIPurpose.objects.get(slug=purpose)).as_json()
        assert permission == expected
    assert by_purpose(answer)["ai-training"]["allowed"] is True
    assert by_purpose(answer)["ai-chat-assistant"]["reason"] == "gpc"
    assert by_purpose(get_permissions(client, tokens["reader"], charlie))["ai-training"]["allowed"] is False


@pytest.mark.postgresql
def test_postgresql_prepares_the_cold_query_once_and_stops_planning_it_for_each_customer(alice, bob):
    from django.db import connection

    for customer in [alice, bob] * 4:
        found = selectors.active_customer_with_overrides(customer.public_id)
        assert found is not None and found.pk == customer.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%_preference_rows%"])
        (prepared,) = cursor.fetchone()
    assert prepared == 1


def test_the_customers_query_gives_back_aware_dates_on_every_engine(alice_client, alice):
    from django.utils import timezone

    alice_client.post("/preferences/always-human/", {"allowed": "true"})
    read: Any = selectors.active_customer_with_overrides(alice.public_id)
    assert timezone.is_aware(read._always_human_since)
    permission = selectors.ai_permissions(user=alice)[0]
    assert permission.reason == "always_human" and permission.since is not None and timezone.is_aware(permission.since)
