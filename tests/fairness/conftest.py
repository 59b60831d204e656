"""Helpers to build groups of customers with decisions, and to run an audit here and now."""

from datetime import timedelta
from itertools import count

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import User
from fairness import services
from fairness.models import FairnessAudit, RecordedAttribute, VolunteeredAttribute
from interactions.models import AIDecision
from privacy.models import AIPurpose
from tests.factories import AISystemFactory

_numbers = count()


@pytest.fixture
def refund_assistant(db):
    return AISystemFactory.create(slug="refund-assistant", name="Refund assistant", contact="refunds-ai@example.com")


@pytest.fixture
def offers_engine(db):
    return AISystemFactory.create(slug="offers-engine", name="Offers engine", contact="Offers team")


def customers(
    n: int, *, recorded: dict[str, str] | None = None, volunteered: dict[str, str] | None = None
) -> list[User]:
    """`n` customers who cannot sign in, each with the same monitoring attributes."""
    made = User.objects.bulk_create(
        [User(email=f"c{next(_numbers)}@population.invalid", password=make_password(None)) for _ in range(n)]
    )
    RecordedAttribute.objects.bulk_create(
        [RecordedAttribute(customer=c, attribute=k, value=v) for c in made for k, v in (recorded or {}).items()]
    )
    VolunteeredAttribute.objects.bulk_create(
        [VolunteeredAttribute(customer=c, attribute=k, value=v) for c in made for k, v in (volunteered or {}).items()]
    )
    return made


def decide(
    people, system, *, favourable=0, unfavourable=0, neutral=0, kind="refund_request", days_ago=10, changed=0, upheld=0
) -> list[AIDecision]:
    """Decisions spread round-robin over `people`; the first `changed` + `upheld` unfavourable ones were reviewed."""
    purpose = AIPurpose.objects.get(slug="automated-decisions")
    outcomes = ["favourable"] * favourable + ["unfavourable"] * unfavourable + ["neutral"] * neutral
    reviews = ["changed"] * changed + ["upheld"] * upheld
    decisions = []
    for index, outcome in enumerate(outcomes):
        review = reviews.pop(0) if outcome == "unfavourable" and reviews else ""
        decisions.append(
            AIDecision(
                customer=people[index % len(people)],
                ai_system=system,
                purpose=purpose,
                kind=kind,
                kind_label=kind.replace("_", " ").capitalize(),
                outcome=outcome,
                outcome_label=outcome,
                decided_at=timezone.now() - timedelta(days=days_ago, minutes=index),
                reasons=[{"text": "r", "weight": None}],
                review_result=review,
                final_outcome="favourable" if review == "changed" else "",
            )
        )
    return AIDecision.objects.bulk_create(decisions)


def run_audit(**kwargs) -> FairnessAudit:
    """An audit run here and now, as the command does."""
    audit = services.fairness_audit_request(trigger=FairnessAudit.Trigger.COMMAND, enqueue=False, **kwargs)
    claimed = services.fairness_audit_claim(audit_id=audit.pk, task_id=f"test-{audit.pk}")
    assert claimed is not None
    done = services.fairness_audit_execute(audit=claimed)
    assert done is not None
    return done


def unit_of(audit, system, attribute_set="language", kind="refund_request"):
    return audit.units.get(ai_system=system, attribute_set=attribute_set, decision_kind=kind)


def group_of(unit, *values):
    return next(group for group in unit.groups.all() if tuple(group.values) == values)
