"""The served OpenAPI schema states what the API really does: each answer below is checked against it."""

import re
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from schemathesis.core.failures import FailureGroup
from werkzeug.test import Client as WSGIClient

from portal.wsgi import application
from privacy import services
from privacy.models import PurposeSlug
from tests.factories import AISystemFactory


@pytest.fixture(autouse=True)
def _keep_the_tests_connection(db):
    # Requests go through the real WSGI application, whose end-of-request signal would close the
    # connection the test's transaction lives on; Django's own test client holds it back the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def served():
    """The schema as /api/schema/ serves it, which validates each answer below."""
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def call():
    """Requests through the WSGI application, with a token of every scope."""
    _, token = services.api_client_create(
        name="CX platform",
        scopes=["interactions:write", "permissions:read", "permissions:write", "monitoring:write"],
    )
    client = WSGIClient(application)

    def request(method: str, path: str, payload: object = None, *, raw: bytes | None = None, form: bool = False):
        headers = {"Authorization": f"Bearer {token}"}
        if raw is not None:
            return client.open(path, method=method, data=raw, content_type="application/json", headers=headers)
        if form:
            return client.open(path, method=method, data=payload, headers=headers)
        return client.open(path, method=method, json=payload, headers=headers)

    return request


def assert_conforms(served, method: str, path: str, response) -> None:
    try:
        served[path][method].validate_response(response)
    except FailureGroup as failures:
        pytest.fail(f"{method} {path} answered {response.status_code} against its schema: {failures}")


def conversation(**overrides: Any) -> dict[str, Any]:
    return {
        "external_id": "conv-1",
        "customer_email": "alice@example.com",
        "channel": "phone",
        "handled_by": "human",
        "started_at": "2026-11-20T10:00:00Z",
        **overrides,
    }


def test_a_conversation_no_ai_took_part_in_answers_a_null_ai_system_the_schema_allows(served, call, alice):
    response = call("POST", "/api/v1/conversations/", conversation())
    assert response.status_code == 201, response.json
    assert response.json["ai_system"] is None
    assert_conforms(served, "POST", "/api/v1/conversations/", response)


def test_an_inference_from_no_conversation_answers_a_null_conversation_id_the_schema_allows(served, call, alice):
    AISystemFactory.create(slug="intent-analyser")
    payload = {
        "external_id": "inf-1",
        "customer_email": alice.email,
        "ai_system": "intent-analyser",
        "kind": "intent",
        "value": "order_status",
        "inferred_at": "2026-11-20T10:00:00Z",
    }
    response = call("POST", "/api/v1/inferences/", payload)
    assert response.status_code == 201, response.json
    assert response.json["conversation_external_id"] is None
    assert_conforms(served, "POST", "/api/v1/inferences/", response)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/customers/{customer_id}/ai-permissions/"), ("POST", "/api/v1/customers/{customer_id}/consents/")],
)
@pytest.mark.parametrize("customer_id", ["not-a-uuid", "12345", "a11ce000-0000-4000-8000-00000000000g"])
def test_a_malformed_customer_id_gets_the_documented_json_404(served, call, method, path, customer_id):
    response = call(method, path.format(customer_id=customer_id), {"purpose": "ai-training", "granted": True})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json == {"detail": "Not found."}
    assert_conforms(served, method, path, response)


def test_the_purpose_is_an_enum_of_the_purpose_slugs(served):
    components = served.raw_schema["components"]["schemas"]
    for request in ("ConsentInRequest", "DecisionInRequest"):
        purpose = components[request]["properties"]["purpose"]
        reference = (purpose["allOf"][0] if "allOf" in purpose else purpose)["$ref"].rsplit("/", 1)[-1]
        assert components[reference]["enum"] == PurposeSlug.values, request


def test_the_schema_states_exactly_one_of_customer_email_and_customer_id(served):
    components = served.raw_schema["components"]["schemas"]
    naming_a_customer = [
        name for name, schema in components.items() if "customer_email" in schema.get("properties", {})
    ]
    assert sorted(naming_a_customer) == [
        "ConversationInRequest",
        "DecisionInRequest",
        "InferenceInRequest",
        "MonitoringAttributesInRequest",
    ]
    for name in naming_a_customer:
        assert components[name]["oneOf"] == [{"required": ["customer_email"]}, {"required": ["customer_id"]}], name


@pytest.mark.parametrize("reference", ["both", "neither"])
def test_both_or_neither_customer_reference_is_the_documented_400(served, call, alice, reference):
    payload = conversation(customer_id=str(alice.public_id))
    if reference == "neither":
        del payload["customer_email"], payload["customer_id"]
    response = call("POST", "/api/v1/conversations/", payload)
    assert response.status_code == 400
    assert response.json == {"customer_email": ["Give exactly one of customer_email and customer_id."]}
    assert_conforms(served, "POST", "/api/v1/conversations/", response)


def test_every_operation_with_a_body_declares_its_400_and_415_and_every_ingest_its_409(served):
    for path, methods in served.raw_schema["paths"].items():
        for method, operation in methods.items():
            if "requestBody" in operation:
                assert "application/json" in operation["responses"]["400"].get("content", {}), (method, path)
                assert operation["responses"]["415"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }
            if "409" in operation["responses"]:
                assert operation["responses"]["409"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }


@pytest.mark.parametrize(
    "payload",
    [
        conversation(messages=[{"sender": "customer", "body": "x\x1b", "sent_at": "2026-11-20T10:00:00Z"}]),
        conversation(channel="pigeon", started_at="0001-01-01T00:00:00Z"),
        ["not", "an", "object"],
    ],
    ids=["nested", "two-fields", "not-an-object"],
)
def test_a_400_body_keeps_its_declared_shape(served, call, alice, payload):
    response = call("POST", "/api/v1/conversations/", payload)
    assert response.status_code == 400
    assert_conforms(served, "POST", "/api/v1/conversations/", response)


def test_a_body_that_is_not_json_is_a_400_of_the_declared_shape(served, call):
    response = call("POST", "/api/v1/conversations/", raw=b"{not json")
    assert response.status_code == 400
    assert response.json["detail"].startswith("JSON parse error")
    assert_conforms(served, "POST", "/api/v1/conversations/", response)


def test_a_409_body_keeps_its_declared_shape(served, call, alice, bob):
    assert call("POST", "/api/v1/conversations/", conversation()).status_code == 201
    response = call("POST", "/api/v1/conversations/", conversation(customer_email=bob.email))
    assert response.status_code == 409
    assert_conforms(served, "POST", "/api/v1/conversations/", response)


def test_the_text_rules_are_stated_as_patterns_the_server_keeps(served):
    components = served.raw_schema["components"]["schemas"]
    line = re.compile(components["ConversationInRequest"]["properties"]["external_id"]["pattern"])
    text = re.compile(components["MessageInRequest"]["properties"]["body"]["pattern"])
    assert line.search("chat-42 · Ünïcode") and text.search("Line one\n\tLine two")
    for control in ("\x1b", "\x07", "\x00", "\x7f", "\x85", "\r"):
        assert not line.search(f"a{control}b") and not text.search(f"a{control}b"), repr(control)
    assert not line.search("a\nb")


def test_a_body_sent_as_a_form_is_the_documented_415(served, call):
    response = call("POST", "/api/v1/conversations/", {"external_id": "x"}, form=True)
    assert response.status_code == 415
    assert_conforms(served, "POST", "/api/v1/conversations/", response)
