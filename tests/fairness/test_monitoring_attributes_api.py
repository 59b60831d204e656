"""POST /api/v1/monitoring-attributes/: the business attaches monitoring-only attributes; nothing ever returns them."""

import json

import pytest

from fairness.models import RecordedAttribute, VolunteeredAttribute
from privacy import services


@pytest.fixture
def token(db):
    _, token = services.api_client_create(name="CRM", scopes=["monitoring:write"])
    return token


@pytest.fixture
def api(client, token):
    def post(payload, *, with_token=token):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {with_token}"} if with_token else {}
        return client.post("/api/v1/monitoring-attributes/", payload, content_type="application/json", **headers)

    return post


def test_the_business_attaches_attributes_and_gets_back_their_names_only(api, alice):
    response = api(
        {
            "customer_id": str(alice.public_id),
            "attributes": {"language": "DE", "region": "north-east", "age_band": "35_44"},
        }
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "customer_id": str(alice.public_id),
        "recorded": ["age_band", "language", "region"],
        "removed": [],
    }
    assert dict(RecordedAttribute.objects.filter(customer=alice).values_list("attribute", "value")) == {
        "language": "de",
        "region": "north-east",
        "age_band": "35_44",
    }
    assert "north-east" not in response.content.decode()


def test_an_empty_value_removes_an_attribute(api, alice):
    api({"customer_email": alice.email, "attributes": {"language": "en", "region": "north"}})
    response = api({"customer_email": alice.email, "attributes": {"region": None}})
    assert response.json()["removed"] == ["region"]
    assert list(RecordedAttribute.objects.filter(customer=alice).values_list("attribute", flat=True)) == ["language"]


@pytest.mark.parametrize(
    ("attributes", "named"),
    [
        ({"gender": "woman"}, "gender"),  # only the customer can give it
        ({"disability": "yes"}, "disability"),  # special-category data: never from the business
        ({"religion": "x"}, "religion"),
        ({"age_band": "40"}, "age_band"),
        ({"region": "Somewhere with spaces"}, "region"),
        ({"language": "english language"}, "language"),
    ],
)
def test_an_attribute_the_business_may_not_set_or_a_bad_value_is_a_400_naming_it(api, alice, attributes, named):
    response = api({"customer_email": alice.email, "attributes": {"language": "en", **attributes}})
    assert response.status_code == 400
    assert named in response.json()["attributes"]
    assert not RecordedAttribute.objects.exists()  # all or nothing


def test_it_needs_the_monitoring_scope_and_a_known_customer(api, alice, db):
    _, other = services.api_client_create(name="CX", scopes=["interactions:write", "permissions:read"])
    payload = {"customer_email": alice.email, "attributes": {"language": "en"}}
    assert api(payload, with_token=None).status_code == 401
    assert api(payload, with_token=other).status_code == 403
    assert api({**payload, "customer_email": "nobody@example.com"}).status_code == 404


def test_no_endpoint_returns_monitoring_attributes_to_a_client(client, alice, api, db):
    api({"customer_email": alice.email, "attributes": {"language": "xq", "region": "zebra-region"}})
    VolunteeredAttribute.objects.create(customer=alice, attribute="gender", value="self_described")
    _, token = services.api_client_create(
        name="Everything", scopes=["interactions:write", "permissions:read", "permissions:write", "monitoring:write"]
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    bodies = [
        client.get(f"/api/v1/customers/{alice.public_id}/ai-permissions/", **headers),
        client.post(
            f"/api/v1/customers/{alice.public_id}/consents/",
            {"purpose": "ai-training", "granted": True, "notice_version": 1},
            content_type="application/json",
            **headers,
        ),
        client.get("/api/v1/ping/", **headers),
        client.post(
            "/api/v1/monitoring-attributes/",
            {"customer_email": alice.email, "attributes": {"region": "zebra-region"}},
            content_type="application/json",
            **headers,
        ),
    ]
    for response in bodies:
        assert response.status_code in (200, 201), response.content
        text = json.dumps(response.json())
        assert "xq" not in text and "zebra-region" not in text and "self_described" not in text
    # Nor does the API offer any way to read them.
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert list(schema["paths"]["/api/v1/monitoring-attributes/"]) == ["post"]
    assert not any(
        "monitoring" in path or "attribute" in path
        for path in schema["paths"]
        if path != "/api/v1/monitoring-attributes/"
    )


def test_the_webhook_of_a_changed_choice_carries_no_attribute(alice, db, django_capture_on_commit_callbacks):
    from privacy.models import AIPurpose, ConsentMethod, WebhookDelivery

    RecordedAttribute.objects.create(customer=alice, attribute="region", value="zebra-region")
    services.webhook_endpoint_create(name="CRM", url="https://crm.example.com/hook", events=["ai_preferences.changed"])
    services.preference_set(
        user=alice, purpose=AIPurpose.objects.get(slug="ai-training"), allowed=True, method=ConsentMethod.PORTAL
    )
    payload = json.dumps(WebhookDelivery.objects.get().payload)
    assert "zebra-region" not in payload and "region" not in payload
