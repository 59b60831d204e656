"""A group too small to judge shows no figure anywhere: not stored, not in the JSON, pages or e-mails."""

import html
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils.html import strip_tags

from fairness.models import FairnessAuditGroup
from tests.conftest import make_customer
from tests.fairness.conftest import customers, decide, group_of, run_audit, unit_of

# Distinctive figures of the small groups, to look for wherever audits are shown.
SMALL = {"es": (29, 11), "fr": (61, 19)}  # (decisions, favourable)


@pytest.fixture
def audit(refund_assistant, mailoutbox, django_capture_on_commit_callbacks):
    english, german = customers(20, recorded={"language": "en"}), customers(20, recorded={"language": "de"})
    decide(english, refund_assistant, favourable=80, unfavourable=20)
    decide(german, refund_assistant, favourable=45, unfavourable=55)  # an alert, so an e-mail goes out
    # 29 decisions from 15 customers: one decision short.
    decide(customers(15, recorded={"language": "es"}), refund_assistant, favourable=11, unfavourable=18)
    # 61 decisions, but all from one customer: judging them would single that customer out.
    decide(customers(1, recorded={"language": "fr"}), refund_assistant, favourable=19, unfavourable=42)
    with django_capture_on_commit_callbacks(execute=True):
        return run_audit()


@pytest.mark.parametrize("language", ["es", "fr"])
def test_no_figure_of_a_small_group_is_stored(audit, refund_assistant, language):
    group = group_of(unit_of(audit, refund_assistant), language)
    assert group.verdict == "too_few"
    figures = [
        "decisions",
        "favourable",
        "rate",
        "ci_low",
        "ci_high",
        "impact_ratio",
        "parity_difference",
        "p_value",
        "reviewed",
        "overturn_rate",
    ]
    assert all(getattr(group, name) is None for name in figures)


def test_small_groups_are_left_out_of_the_others_ratios_and_the_unit_totals(audit, refund_assistant):
    unit = unit_of(audit, refund_assistant)
    assert group_of(unit, "en").impact_ratio == 1.0  # French (19 of 61) and Spanish don't count as the best
    assert unit.decisions == 200 and unit.groups_too_few == 2


def test_the_json_has_the_marker_and_no_figure_for_small_groups(audit, refund_assistant):
    out = StringIO()
    call_command("privacy", "fairness-audit", "--json", "--system", "refund-assistant", stdout=out)
    rows = [r for r in json.loads(out.getvalue()) if r["attributes"] == ["language"]]
    small = [r for r in rows if r["group"]["language"] in SMALL]
    assert len(small) == 2
    for row in small:
        assert row["too_few"] is True and row["verdict"] == "too_few"
        assert not {"decisions", "favourable_rate", "impact_ratio", "p_value", "ci_95", "overturn_rate"} & set(row)
    judged = next(r for r in rows if r["group"]["language"] == "de")
    assert judged["decisions"] == 100 and judged["favourable_rate"] == 0.45 and judged["too_few"] is False


def _leaks(text: str) -> list[str]:
    found = []
    for decisions, favourable in SMALL.values():
        rate = favourable / decisions
        for figure in (f"{rate:.2f}", f"{rate:.3f}", f"{round(rate * 100)} %", f"{round(rate * 100)}%"):
            if figure in text:
                found.append(figure)
    return found


def test_no_small_figure_on_the_public_page_the_staff_screens_or_in_the_e_mail(
    client, audit, refund_assistant, mailoutbox, settings
):
    public = " ".join(html.unescape(strip_tags(client.get("/ai/").content.decode())).split())
    assert "Spanish: too few to judge" in public and "French: too few to judge" in public
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    client.force_login(make_customer("officer@example.com", is_staff=True, is_superuser=True))
    unit = unit_of(audit, refund_assistant)
    staff_pages = [
        client.get(f"/admin/fairness/fairnessauditunit/{unit.pk}/change/"),
        client.get(f"/admin/fairness/fairnessaudit/{audit.pk}/change/"),
        client.get("/admin/privacy/privacyrequest/dashboard/"),
    ]
    for response in staff_pages:
        assert response.status_code == 200
        assert _leaks(html.unescape(response.content.decode())) == []
    unit_page = html.unescape(staff_pages[0].content.decode())
    assert unit_page.count("Too few to judge: no figure is kept") == 2
    (alert,) = mailoutbox
    assert "Spanish" not in alert.body and "French" not in alert.body and _leaks(alert.body) == []
    assert _leaks(public) == []


def test_no_stored_aggregate_below_the_minimum_size_exists_at_all(audit):
    small = FairnessAuditGroup.objects.filter(decisions__lt=30).exclude(decisions=None)
    assert not small.exists()
