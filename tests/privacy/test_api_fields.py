"""What every ingest endpoint takes as text and time (privacy/api/fields.py): no control characters, sane dates."""

import copy
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fairness.models import RecordedAttribute
from interactions.models import AIDecision, AIInference, Conversation, Message
from privacy import services
from tests.factories import AISystemFactory

ESC, BEL = "\x1b", "\x07"


def an_hour_ago() -> str:
    return (timezone.now() - timedelta(hours=1)).isoformat()


def payloads() -> dict[str, dict[str, Any]]:
    """A valid request for each endpoint that stores what a business system sends."""
    return {
        "conversations/": {
            "external_id": "conv-1",
            "customer_email": "alice@example.com",
            "channel": "chat",
            "subject": "Where is my order?",
            "handled_by": "ai",
            "ai_system": "chat-assistant",
            "started_at": an_hour_ago(),
            "messages": [
                {"sender": "customer", "body": "Where is order 123?", "sent_at": an_hour_ago()},
                {
                    "sender": "ai",
                    "body": "It arrives tomorrow.",
                    "sent_at": an_hour_ago(),
                    "ai_system": "chat-assistant",
                },
            ],
        },
        "inferences/": {
            "external_id": "inf-1",
            "customer_email": "alice@example.com",
            "ai_system": "chat-assistant",
            "kind": "intent",
            "value": "order_status",
            "inferred_at": an_hour_ago(),
        },
        "decisions/": {
            "external_id": "dec-1",
            "customer_email": "alice@example.com",
            "ai_system": "refund-assistant",
            "purpose": "automated-decisions",
            "kind": "refund_request",
            "kind_label": "Refund request",
            "outcome": "unfavourable",
            "outcome_label": "Refund declined",
            "model_version": "2.3",
            "decided_at": an_hour_ago(),
            "reasons": ["The request came 34 days after delivery.", {"text": "Delivery was confirmed.", "weight": 0.6}],
        },
        "monitoring-attributes/": {"customer_email": "alice@example.com", "attributes": {"region": "north"}},
        "consents/": {"purpose": "ai-training", "granted": True, "notice_version": 1},
    }


@pytest.fixture
def api(client, alice):
    AISystemFactory.create(slug="chat-assistant")
    AISystemFactory.create(slug="refund-assistant")
    _, token = services.api_client_create(
        name="CX platform", scopes=["interactions:write", "monitoring:write", "permissions:write"]
    )

    def post(endpoint: str, payload: dict[str, Any]):
        path = f"customers/{alice.public_id}/consents/" if endpoint == "consents/" else endpoint
        return client.post(
            f"/api/v1/{path}", payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    return post


def with_value(payload: dict[str, Any], path: tuple[Any, ...], value: object) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def errors_at(body: Any, path: tuple[Any, ...]) -> list[str]:
    """The messages a 400 body holds for one field (a list index may come as a list or as a key)."""
    for step in path:
        body = body[step] if isinstance(body, list) else body[str(step)]
    assert isinstance(body, list), body
    return body


# Every text a business system sends, with where a 400 names it.
TEXT_FIELDS = [
    ("conversations/", ("external_id",), ("external_id",)),
    ("conversations/", ("customer_email",), ("customer_email",)),
    ("conversations/", ("subject",), ("subject",)),
    ("conversations/", ("ai_system",), ("ai_system",)),
    ("conversations/", ("messages", 0, "body"), ("messages", 0, "body")),
    ("conversations/", ("messages", 1, "ai_system"), ("messages", 1, "ai_system")),
    ("inferences/", ("external_id",), ("external_id",)),
    ("inferences/", ("value",), ("value",)),
    ("inferences/", ("conversation_external_id",), ("conversation_external_id",)),
    ("decisions/", ("external_id",), ("external_id",)),
    ("decisions/", ("ai_system",), ("ai_system",)),
    ("decisions/", ("purpose",), ("purpose",)),
    ("decisions/", ("kind",), ("kind",)),
    ("decisions/", ("kind_label",), ("kind_label",)),
    ("decisions/", ("outcome_label",), ("outcome_label",)),
    ("decisions/", ("model_version",), ("model_version",)),
    ("decisions/", ("reasons", 0), ("reasons", 0)),
    ("decisions/", ("reasons", 1, "text"), ("reasons", 1)),
    ("monitoring-attributes/", ("attributes", "region"), ("attributes", "region")),
    ("consents/", ("purpose",), ("purpose",)),
]


def field_id(param: tuple[Any, ...]) -> str:
    return param[0] + ".".join(str(step) for step in param[1])


@pytest.mark.parametrize("char", [ESC, BEL], ids=["ESC", "BEL"])
@pytest.mark.parametrize(("endpoint", "field", "error_path"), TEXT_FIELDS, ids=[field_id(f) for f in TEXT_FIELDS])
def test_esc_or_bel_in_any_text_is_refused_with_a_400_naming_the_field(api, endpoint, field, error_path, char):
    payload = payloads()[endpoint]
    original: object = payload
    for step in field:
        original = original.get(step, "text") if isinstance(original, dict) else original[step]  # type: ignore[index]
    assert isinstance(original, str)
    response = api(endpoint, with_value(payload, field, f"{original[:3]}{char}{original[3:]}"))
    assert response.status_code == 400, response.content
    assert errors_at(response.json(), error_path), response.json()
    assert not (Conversation.objects.exists() or AIInference.objects.exists() or AIDecision.objects.exists())
    assert not RecordedAttribute.objects.exists()


@pytest.mark.parametrize(
    "char",
    ["\x00", "\x7f", "\x85", "\x9b", "\r", "\x0b", "\x0c", "\ud800"],
    ids=["NUL", "DEL", "NEL", "CSI", "CR", "VT", "FF", "lone-surrogate"],
)
@pytest.mark.parametrize("field", [("external_id",), ("messages", 0, "body")], ids=["one-line", "message-body"])
def test_every_other_control_character_is_refused_too(api, field, char):
    response = api("conversations/", with_value(payloads()["conversations/"], field, f"Hello{char}there"))
    assert response.status_code == 400, response.content
    (message,) = errors_at(response.json(), field)
    if char != "\x00":  # DRF's own NUL check answers first
        assert f"U+{ord(char):04X}" in message, message
    assert not Conversation.objects.exists()


def test_the_400_says_which_character_and_where(api):
    response = api("conversations/", with_value(payloads()["conversations/"], ("subject",), f"Order{ESC}[31m late"))
    assert response.json() == {
        "subject": ["Control character U+001B at position 6: this field takes one line of plain text."]
    }


def test_a_message_body_keeps_its_line_breaks_and_tabs(api):
    body = "Where is order 123?\n\tIt was due on Monday.\n"
    response = api("conversations/", with_value(payloads()["conversations/"], ("messages", 0, "body"), body))
    assert response.status_code == 201, response.json()
    assert Message.objects.get(sender="customer").body == body


def test_windows_line_endings_in_a_message_body_are_stored_as_line_breaks(api):
    body = "Where is order 123?\r\nIt was due on Monday.\r\n"
    response = api("conversations/", with_value(payloads()["conversations/"], ("messages", 0, "body"), body))
    assert response.status_code == 201, response.json()
    assert Message.objects.get(sender="customer").body == "Where is order 123?\nIt was due on Monday.\n"


@pytest.mark.parametrize("text", ["conv\n1", "conv-1\n", "\tconv-1", "conv\t1"])
def test_a_line_break_or_tab_is_refused_in_a_one_line_field(api, text):
    response = api("conversations/", with_value(payloads()["conversations/"], ("external_id",), text))
    assert response.status_code == 400
    assert errors_at(response.json(), ("external_id",))


def test_a_line_break_in_a_reason_becomes_a_space(api):
    response = api("decisions/", with_value(payloads()["decisions/"], ("reasons", 0), "Delivered\n34 days ago."))
    assert response.status_code == 201, response.json()
    assert AIDecision.objects.get().reasons[0]["text"] == "Delivered 34 days ago."


# Every time a business system sends.
TIME_FIELDS = [
    ("conversations/", ("started_at",)),
    ("conversations/", ("messages", 0, "sent_at")),
    ("inferences/", ("inferred_at",)),
    ("decisions/", ("decided_at",)),
]


@pytest.mark.parametrize(
    "when",
    ["0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "in a day"],
    ids=["year-1", "epoch", "before-2000", "future"],
)
@pytest.mark.parametrize(("endpoint", "field"), TIME_FIELDS, ids=[field_id(f) for f in TIME_FIELDS])
def test_a_time_before_2000_or_in_the_future_is_refused_with_a_400_naming_it(api, endpoint, field, when):
    if when == "in a day":
        when = (timezone.now() + timedelta(days=1)).isoformat()
    response = api(endpoint, with_value(payloads()[endpoint], field, when))
    assert response.status_code == 400, response.content
    (message,) = errors_at(response.json(), field)
    assert "2000-01-01" in message or "future" in message, message


def test_an_ending_time_in_year_9999_is_refused(api):
    response = api("conversations/", with_value(payloads()["conversations/"], ("ended_at",), "9999-12-31T23:59:59Z"))
    assert response.status_code == 400
    assert errors_at(response.json(), ("ended_at",))


@pytest.mark.parametrize("when", ["2000-01-01T00:00:00Z", "a minute ahead"])
def test_times_from_2000_to_a_minute_ahead_of_our_clock_are_accepted(api, when):
    if when == "a minute ahead":
        when = (timezone.now() + timedelta(minutes=1)).isoformat()
    payload = with_value(payloads()["conversations/"], ("started_at",), when)
    response = api("conversations/", with_value(payload, ("messages", 0, "sent_at"), when))
    assert response.status_code == 201, response.json()
