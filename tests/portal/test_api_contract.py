"""The API keeps its published contract: schemathesis against the live server, reading the served schema.

Every operation in /api/schema/ gets the schema's own examples, then generated requests, valid and
invalid, each with the token of the scope its view needs (one request in eight with another scope's,
for the 403); every answer must be what the schema says (status, content type, body) and never a
5xx. The data reaches the success paths: the customers, AI systems and times come from what this
test seeds, and each operation must answer 2xx at least once.
"""

import hashlib
from collections import defaultdict
from datetime import timedelta
from uuid import UUID

import pytest
import schemathesis
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from hypothesis import HealthCheck, settings

from privacy import services
from privacy.models import APIClient
from tests.conftest import make_customer
from tests.factories import AISystemFactory

# Enough to find a broken answer, few enough for `make test` (the module runs in well under a minute).
MAX_EXAMPLES = 25
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "ignored_auth",
    "unsupported_method",
]
# The examples in the schema name these customers and AI systems; the generator draws on them too.
CUSTOMERS = {
    "alice@example.com": UUID("a11ce000-0000-4000-8000-000000000001"),
    "bob@example.com": UUID("b0b00000-0000-4000-8000-000000000002"),
}
AI_SYSTEMS = ["chat-assistant", "intent-analyser", "refund-assistant"]
NOW = timezone.now()
RECENT_TIMES = [(NOW - timedelta(days=days, minutes=minutes)).isoformat() for days in (1, 7, 30) for minutes in (0, 5)]

# The schema as /api/schema/ serves it, read at collection to make one test per operation; the
# fixture checks that the live server serves the very same.
SERVED_SCHEMA = Client().get("/api/schema/?format=json").json()

schema = schemathesis.openapi.from_dict(
    SERVED_SCHEMA,
    config=schemathesis.Config.from_dict(
        {
            # Seeded values the generator uses most of the time (else it makes up its own).
            "dictionaries": {
                "customer-ids": {"values": [str(public_id) for public_id in CUSTOMERS.values()]},
                "customer-emails": {"values": list(CUSTOMERS)},
                "ai-systems": {"values": AI_SYSTEMS},
                "recent-times": {"values": RECENT_TIMES},
            },
            "parameters": {
                "path.customer_id": {"dictionary": "customer-ids", "probability": 0.8},
                "body.customer_id": {"dictionary": "customer-ids", "probability": 0.6},
                "body.customer_email": {"dictionary": "customer-emails", "probability": 0.6},
                "body.ai_system": {"dictionary": "ai-systems", "probability": 0.8},
                "body.messages[*].ai_system": {"dictionary": "ai-systems", "probability": 0.8},
                **{
                    f"body.{name}": {"dictionary": "recent-times", "probability": 0.8}
                    for name in ("started_at", "ended_at", "inferred_at", "decided_at", "messages[*].sent_at")
                },
            },
            "generation": {"max-examples": MAX_EXAMPLES},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    ),
)


def required_scope(path: str) -> str:
    """The scope the view behind an operation's path asks for ('' when any token will do)."""
    sample = path.replace("{customer_id}", str(UUID(int=0)))
    return getattr(getattr(resolve(sample).func, "view_class", None), "required_scope", "")


def token_for(case, tokens: dict[str, str]) -> str:
    """The token of the scope the operation needs; for one generated request in eight, another scope's.

    Chosen from the request's own content, so replaying a failing request sends the same token.
    """
    scope = required_scope(case.operation.path)
    others = [token for name, token in tokens.items() if name != scope]
    if case.meta is not None and case.meta.phase.name == "fuzzing":
        content = repr((case.path_parameters, case.body)).encode("utf-8", "surrogatepass")
        if hashlib.sha256(content).digest()[0] % 8 == 0:
            return others[0]
    return tokens.get(scope, others[0])


@pytest.fixture
def contract(live_server):
    """Customers, AI systems and a token per scope on the live server; fails unless its operation succeeded."""
    assert schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json").raw_schema == SERVED_SCHEMA
    for email, public_id in CUSTOMERS.items():
        make_customer(email, public_id=public_id)
    for slug in AI_SYSTEMS:
        AISystemFactory.create(slug=slug)
    tokens = {
        scope: services.api_client_create(name=f"Client with {scope}", scopes=[scope])[1]
        for scope in APIClient.Scope.values
    }
    answered: dict[str, set[int]] = defaultdict(set)
    yield {"url": live_server.url, "tokens": tokens, "answered": answered}
    # Refusals alone would prove little: the operation must have succeeded too.
    assert answered, "no request was made"
    for label, statuses in answered.items():
        assert any(200 <= status < 300 for status in statuses), f"{label} never answered 2xx: {sorted(statuses)}"


@schema.parametrize()
# The seeded rows are shared by every request on purpose. Derandomized: the same requests on every
# run, so a pass is repeatable; no example database written into the tree.
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
    derandomize=True,
    database=None,
)
def test_every_answer_keeps_the_published_contract(case, contract):
    token = token_for(case, contract["tokens"])
    response = case.call_and_validate(base_url=contract["url"], headers={"Authorization": f"Bearer {token}"})
    contract["answered"][case.operation.label].add(response.status_code)
