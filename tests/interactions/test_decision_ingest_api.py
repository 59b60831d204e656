"""POST /api/v1/decisions/: recording an AI decision about a customer, with its reasons."""

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.models import AIDecision
from privacy import services
from privacy.models import PreferenceBreach
from tests.factories import AISystemFactory


@pytest.fixture
def refund_assistant(db):
    return AISystemFactory.create(slug="refund-assistant", name="Refund assistant")


@pytest.fixture
def api(client, db):
    _, token = services.api_client_create(name="Refunds service", scopes=["interactions:write"])

    def post(payload, *, path="decisions/", with_token=token):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {with_token}"} if with_token else {}
        return client.post(f"/api/v1/{path}", payload, content_type="application/json", **headers)

    return post


def decision_payload(**overrides):
    return {
        "external_id": "dec-1",
        "customer_email": "alice@example.com",
        "ai_system": "refund-assistant",
        "kind": "refund_request",
        "outcome": "unfavourable",
        "outcome_label": "Refund declined",
        "model_version": "2.3",
        "confidence": 0.82,
        "decided_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "reasons": [
            {"text": "The courier confirmed delivery.", "weight": 0.6},
            "The request came 34 days after delivery.",
        ],
        **overrides,
    }


def test_a_decision_is_recorded_with_its_reasons_under_automated_decisions(api, alice, refund_assistant):
    response = api(decision_payload())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer_id"] == str(alice.public_id)
    assert body["purpose"] == "automated-decisions"
    assert body["kind_label"] == "Refund request"  # made from the kind when not given
    assert body["reasons"] == [
        {"text": "The courier confirmed delivery.", "weight": 0.6},
        {"text": "The request came 34 days after delivery.", "weight": None},
    ]
    decision = AIDecision.objects.get()
    assert (decision.customer, decision.ai_system, decision.outcome) == (alice, refund_assistant, "unfavourable")
    assert decision.source_client is not None
    assert decision.source_client.name == "Refunds service"


def test_a_retried_post_returns_the_decision_already_stored(api, alice, refund_assistant):
    first = api(decision_payload())
    again = api(decision_payload(outcome_label="Something else"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["outcome_label"] == "Refund declined"
    assert AIDecision.objects.count() == 1


def test_an_external_id_of_another_customers_decision_is_a_conflict(api, alice, bob, refund_assistant):
    api(decision_payload())
    response = api(decision_payload(customer_email=bob.email))
    assert response.status_code == 409
    assert AIDecision.objects.get().customer == alice


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ai_system": "no-such-system"}, "ai_system"),
        ({"reasons": [f"Reason {n}." for n in range(6)]}, "reasons"),
        ({"reasons": ["x" * 301]}, "reasons"),
        ({"reasons": [{"text": "ok", "weight": 2}]}, "reasons"),
        ({"reasons": []}, "reasons"),
        ({"outcome": "approved"}, "outcome"),
        ({"decided_at": (timezone.now() + timedelta(days=1)).isoformat()}, "decided_at"),
        ({"confidence": 1.5}, "confidence"),
        ({"kind": "Refund Request!"}, "kind"),
        ({"purpose": "no-such-purpose"}, "purpose"),
        ({"outcome_label": ""}, "outcome_label"),
    ],
)
def test_bad_input_gets_a_400_that_names_the_field(api, alice, refund_assistant, change, field):
    response = api(decision_payload(**change))
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not AIDecision.objects.exists()


def test_an_unknown_ai_system_is_named_in_words(api, alice, refund_assistant):
    response = api(decision_payload(ai_system="robo-judge"))
    assert response.json()["ai_system"] == ["Unknown AI system “robo-judge”: use the slug of an active AI system."]


def test_more_than_five_reasons_and_a_long_reason_say_what_is_wrong(api, alice, refund_assistant):
    assert api(decision_payload(reasons=["r"] * 6)).json()["reasons"] == ["Give at most 5 reasons."]
    too_long = api(decision_payload(reasons=["fine", "y" * 301])).json()["reasons"]
    assert too_long == {"1": ["A reason is at most 300 characters."]}


def test_a_decision_against_a_switched_off_purpose_is_stored_and_recorded_as_a_breach(
    api, alice_client, alice, refund_assistant
):
    # Automated decisions are consent-based: off until the customer switches them on.
    assert api(decision_payload()).status_code == 201
    breach = PreferenceBreach.objects.get()
    assert (breach.user, breach.purpose.slug, breach.reason) == (alice, "automated-decisions", "default")
    assert breach.api_client is not None
    assert breach.api_client.name == "Refunds service"


def test_a_decision_the_customer_allowed_records_no_breach(api, alice_client, alice, refund_assistant):
    alice_client.post("/preferences/automated-decisions/", {"allowed": "true", "notice_version": 1})
    assert api(decision_payload()).status_code == 201
    assert not PreferenceBreach.objects.exists()


def test_it_needs_a_token_with_the_interactions_scope(api, alice, refund_assistant):
    _, reader = services.api_client_create(name="Reader", scopes=["permissions:read"])
    assert api(decision_payload(), with_token=None).status_code == 401
    assert api(decision_payload(), with_token=reader).status_code == 403


def test_an_unknown_customer_is_a_404(api, db, refund_assistant):
    assert api(decision_payload(customer_email="nobody@example.com")).status_code == 404


def test_the_endpoint_is_documented_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/decisions/"]["post"]
    assert operation["summary"].startswith("Record a decision")
    assert {"201", "200", "400", "409"} <= set(operation["responses"])
    request_schema = schema["components"]["schemas"]["DecisionInRequest"]
    assert {"reasons", "outcome", "ai_system", "decided_at"} <= set(request_schema["properties"])
