"""`manage.py privacy fairness-audit`: run an audit here and now, and print it."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fairness import selectors, services
from fairness.attributes import ATTRIBUTES
from fairness.models import FairnessAudit, Verdict
from privacy.models import AISystem
from privacy.typing import JSONObject


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--system", metavar="SLUG", help="Print only this AI system (the audit covers them all).")
    parser.add_argument("--json", action="store_true", help="Print one JSON object per group, as a list.")


def _rows(audit: FairnessAudit, system: AISystem | None) -> list[JSONObject]:
    units = selectors.audit_units(audit=audit, systems=[system] if system else None)
    rows = []
    for unit in units:
        for group in unit.groups.all():
            row: JSONObject = {
                "system": unit.ai_system.slug,
                "decision_kind": unit.decision_kind,
                "attributes": unit.attributes,
                "group": dict(zip(unit.attributes, group.values, strict=True)),
                "group_label": group.label,
                "verdict": group.verdict,
            }
            if group.too_few:
                # No figure at all for a group too small to judge.
                row["too_few"] = True
            else:
                row.update(
                    too_few=False,
                    decisions=group.decisions,
                    favourable_rate=group.rate,
                    ci_95=[group.ci_low, group.ci_high],
                    impact_ratio=group.impact_ratio,
                    parity_difference=group.parity_difference,
                    p_value=group.p_value,
                    overturn_rate=group.overturn_rate,
                )
            rows.append(row)
    return rows


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    system = None
    if options.get("system"):
        system = AISystem.objects.filter(slug=options["system"]).first()
        if system is None:
            raise CommandError(f"No AI system with the slug {options['system']!r}.")
    requested = services.fairness_audit_request(trigger=FairnessAudit.Trigger.COMMAND, enqueue=False)
    claimed = services.fairness_audit_claim(audit_id=requested.pk, task_id=f"cli-{requested.pk}")
    assert claimed is not None  # not enqueued: no worker can have claimed it
    audit = services.fairness_audit_execute(audit=claimed)
    if audit is None:  # pragma: no cover - nobody else can hold a run made here
        raise CommandError("The audit was taken over by a worker; see the admin.")
    rows = _rows(audit, system)
    if options.get("json"):
        command.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    command.stdout.write(
        f"Fairness audit #{audit.pk}: decisions from {audit.window_start:%Y-%m-%d} to {audit.window_end:%Y-%m-%d}; "
        f"verdict {Verdict(audit.verdict).label.lower()}, {audit.alerts} unit(s) in alert."
    )
    current = None
    for row in rows:
        heading = (row["system"], row["decision_kind"], tuple(row["attributes"]))
        if heading != current:
            current = heading
            names = " × ".join(str(ATTRIBUTES[key].label) for key in row["attributes"])
            command.stdout.write(f"\n{row['system']} · {row['decision_kind']} · {names}")
        if row["too_few"]:
            command.stdout.write(f"  {row['group_label']:<40} too few to judge")
        else:
            command.stdout.write(
                f"  {row['group_label']:<40} n={row['decisions']:<7} rate={_number(row['favourable_rate'])} "
                f"impact={_number(row['impact_ratio'])} p={_number(row['p_value'], 4)} "
                f"overturn={_number(row['overturn_rate'])} {row['verdict']}"
            )
