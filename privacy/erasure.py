"""Erasing a customer, generic over the personal-data registry.

Each declared source is one step: delete its rows, anonymise them with the
declared replacements, or retain them (with the reason the customer was
shown). Steps run children before parents, each in its own transaction
together with the record that it is done, so a killed worker's erasure
resumes at the first step not done, and running it again changes nothing.
Deletes and updates are single statements per source, never row by row.
"""

from graphlib import CycleError, TopologicalSorter
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connections, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from privacy.models import ErasureStep, PrivacyRequest
from privacy.registry import ErasureAction, Source, is_expression, registry
from privacy.typing import Customer


def erasure_plan() -> list[Source]:
    """Every declared source, children first (a row before the rows it points at), the user last."""
    by_model = {source.model: source for source in registry.sources}
    must_come_before: dict[type[Model], set[type[Model]]] = {model: set() for model in by_model}
    for model in by_model:
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if field.is_relation and not field.auto_created and target in by_model and target is not model:
                must_come_before[target].add(model)  # `model` points at `target`: erase it first
    user_model = get_user_model()
    try:
        order = list(TopologicalSorter(must_come_before).static_order())
    except CycleError:  # pragma: no cover - no such cycle among today's models
        order = list(by_model)
    order.sort(key=lambda model: model is user_model)  # stable: only moves the user to the end
    return [by_model[model] for model in order]


def erasure_steps_ensure(request: PrivacyRequest) -> list[ErasureStep]:
    """The request's steps, created once (a resumed erasure finds them)."""
    existing = {step.source_key: step for step in ErasureStep.objects.filter(request=request)}
    missing = [
        ErasureStep(request=request, position=position, source_key=source.key, action=str(source.erasure.action))
        for position, source in enumerate(erasure_plan())
        if source.key not in existing
    ]
    ErasureStep.objects.bulk_create(missing, ignore_conflicts=True)
    return list(ErasureStep.objects.filter(request=request).order_by("position"))


def _replacements(source: Source) -> dict[str, Any]:
    return {
        field: value() if callable(value) and not is_expression(value) else value
        for field, value in source.erasure.replacements.items()
    }


def erasure_step_run(*, step: ErasureStep, user: Customer) -> int:
    """Carry out one step (if not done yet); return the rows it touched."""
    if step.status == ErasureStep.Status.DONE:
        return step.rows
    source = registry.source(step.source_key)
    rows = source.rows_for(user)
    if source.before_erasure and source.erasure.action != ErasureAction.RETAIN:
        source.before_erasure(rows, user)
    with transaction.atomic():
        locked = ErasureStep.objects.select_for_update().get(pk=step.pk)
        if locked.status == ErasureStep.Status.DONE:  # another delivery finished it meanwhile
            return locked.rows
        if source.erasure.action == ErasureAction.DELETE:
            count = _delete(rows, source)
        elif source.erasure.action == ErasureAction.ANONYMIZE:
            count = rows.update(**_replacements(source))
        else:
            count = rows.count()
        ErasureStep.objects.filter(pk=step.pk).update(
            status=ErasureStep.Status.DONE, rows=count, finished_at=timezone.now()
        )
    return count


def scrub_admin_log(user: Customer) -> int:
    """Staff edits in the admin name the edited row (object_repr), which can be an
    address or an AI's conclusion: keep that a change happened, not what it named."""
    sources = {ContentType.objects.get_for_model(source.model).pk: source for source in registry.sources}
    mentioned: dict[int, set[str]] = {}
    for content_type_id, object_id in (
        LogEntry.objects.filter(content_type_id__in=sources).values_list("content_type_id", "object_id").distinct()
    ):
        if content_type_id is not None and object_id is not None:
            mentioned.setdefault(content_type_id, set()).add(object_id)
    scrubbed = 0
    for content_type_id, object_ids in mentioned.items():
        ids = [int(i) for i in object_ids if i.isdigit()]
        own = [
            str(pk) for pk in sources[content_type_id].rows_for(user).filter(pk__in=ids).values_list("pk", flat=True)
        ]
        scrubbed += LogEntry.objects.filter(content_type_id=content_type_id, object_id__in=own).update(
            object_repr="(erased)", change_message=""
        )
    return scrubbed


def _delete(rows: QuerySet[Any], source: Source) -> int:
    """One DELETE statement for the source's rows.

    Steps run children first, so nothing should point at these rows any more:
    the database's own foreign keys confirm it. Should something still point
    here (a relation the plan does not know), Django's collector deletes or
    detaches it the careful way instead.
    """
    connection = connections[rows.db]
    pointing_here = sorted({rel.related_model._meta.db_table for rel in source.model._meta.related_objects})
    try:
        with transaction.atomic(using=rows.db):
            count: int = rows._raw_delete(rows.db)
            # Foreign keys are checked at commit; ask now, inside the savepoint,
            # so a row still pointing here sends us to the careful path.
            if pointing_here:
                connection.check_constraints(table_names=pointing_here)
            return count
    except IntegrityError:
        _, per_model = rows.delete()
        return int(per_model.get(source.model._meta.label, 0))
