"""`manage.py privacy fairness-audit`: run an audit now and print it, as text or JSON."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fairness.models import FairnessAudit
from tests.fairness.conftest import customers, decide


@pytest.fixture
def decisions(refund_assistant, offers_engine):
    for system in (refund_assistant, offers_engine):
        decide(customers(12, recorded={"language": "en"}), system, favourable=30, unfavourable=10)
        decide(customers(12, recorded={"language": "de"}), system, favourable=15, unfavourable=25)


def test_it_runs_an_audit_and_prints_each_group(decisions):
    out = StringIO()
    call_command("privacy", "fairness-audit", stdout=out)
    text = out.getvalue()
    audit = FairnessAudit.objects.get()
    assert (audit.trigger, audit.status) == ("command", "completed")
    assert f"Fairness audit #{audit.pk}" in text and "unit(s) in alert" in text
    assert "refund-assistant · refund_request · Preferred language" in text
    assert "German" in text and "n=40" in text and "impact=0.50" in text and "alert" in text
    assert "Not given" in text or "too few to judge" in text


def test_json_gives_every_figure_per_row_for_one_system(decisions):
    out = StringIO()
    call_command("privacy", "fairness-audit", "--system", "offers-engine", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {row["system"] for row in rows} == {"offers-engine"}
    german = next(r for r in rows if r["attributes"] == ["language"] and r["group"] == {"language": "de"})
    assert german == {
        "system": "offers-engine",
        "decision_kind": "refund_request",
        "attributes": ["language"],
        "group": {"language": "de"},
        "group_label": "German",
        "verdict": "alert",
        "too_few": False,
        "decisions": 40,
        "favourable_rate": 0.375,
        "ci_95": german["ci_95"],
        "impact_ratio": 0.5,
        "parity_difference": -0.375,
        "p_value": german["p_value"],
        "overturn_rate": None,
    }
    assert 0 < german["p_value"] < 0.05 and german["ci_95"][0] < 0.375 < german["ci_95"][1]


def test_an_unknown_system_is_an_error(db):
    with pytest.raises(CommandError, match="No AI system"):
        call_command("privacy", "fairness-audit", "--system", "nope")
