"""System checks that keep the personal-data registry complete and sound."""

from collections import deque
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.contrib.auth import get_user_model
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model

from privacy.registry import ErasureAction, registry
from privacy.taxonomy import CATEGORIES, GROUPS

MAX_PATH_DEPTH = 4


def path_to_user(model: type[Model]) -> str | None:
    """The shortest lookup from `model` to the user model, "" for the user itself."""
    user_model = get_user_model()
    if model is user_model:
        return ""
    queue: deque[tuple[type[Model], list[str]]] = deque([(model, [])])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        if len(path) >= MAX_PATH_DEPTH:
            continue
        for model_field in current._meta.get_fields():
            # Forward relations only (foreign keys, one-to-one and
            # many-to-many); reverse ones are auto-created.
            if not (model_field.is_relation and not model_field.auto_created and model_field.related_model):
                continue
            target = model_field.related_model
            if target is user_model:
                return "__".join([*path, model_field.name])
            if target not in seen:
                seen.add(target)
                queue.append((target, [*path, model_field.name]))
    return None


@register("privacy")
def check_every_user_model_is_declared(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for model in apps.get_models():
        path = path_to_user(model)
        if path is None or registry.covers(model):
            continue
        errors.append(
            Error(
                f"{model._meta.label} holds data about a user (through "
                f"{path or 'being the user model'!s}) but is neither declared nor exempted.",
                hint=f"Declare it with registry.declare(Source(...)) or registry.exempt({model.__name__}, "
                "reason=...) in its app's privacy.py.",
                obj=model,
                id="privacy.E001",
            )
        )
    return errors


def _resolves_to_user(model: type[Model], subject_path: str) -> bool:
    current: type[Model] | None = model
    for part in subject_path.split("__") if subject_path else []:
        if current is None:
            return False
        try:
            related = current._meta.get_field(part).related_model
        except FieldDoesNotExist:
            return False
        # "self" appears only on unresolved lazy relations.
        current = related if isinstance(related, type) else None
    return current is get_user_model()


@register("privacy")
def check_declarations_are_sound(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for source in registry.sources:
        label = source.model._meta.label
        if not _resolves_to_user(source.model, source.subject_path):
            errors.append(
                Error(
                    f"{label}: subject path {source.subject_path!r} does not lead to the user model.",
                    obj=source.model,
                    id="privacy.E002",
                )
            )
        named = [f.name for f in source.fields] + list(source.erasure.replacements) + list(source.secret_fields)
        named += [source.row_ai_system_field] if source.row_ai_system_field else []
        for personal_field in source.fields:
            if personal_field.category not in CATEGORIES:
                errors.append(
                    Error(
                        f"{label}.{personal_field.name}: unknown data category {personal_field.category!r}.",
                        hint="Use a fideslang key listed in privacy/taxonomy.py (add it there if it is real).",
                        obj=source.model,
                        id="privacy.E003",
                    )
                )
            if personal_field.derived_by_ai and not personal_field.ai_system_field:
                errors.append(
                    Error(
                        f"{label}.{personal_field.name}: AI-derived data must name the field holding its AI system.",
                        obj=source.model,
                        id="privacy.E006",
                    )
                )
            named += [n for n in (personal_field.ai_system_field, personal_field.confidence_field) if n]
        for name in named:
            try:
                source.model._meta.get_field(name)
            except FieldDoesNotExist:
                errors.append(Error(f"{label} has no field {name!r}.", obj=source.model, id="privacy.E004"))
        shown = {f.name for f in source.fields}
        leaked = shown & set(source.secret_fields)
        if leaked:
            errors.append(
                Error(
                    f"{label}: {', '.join(sorted(leaked))} is declared both as shown and as secret.",
                    obj=source.model,
                    id="privacy.E005",
                )
            )
        if source.group and source.group not in GROUPS:
            errors.append(
                Error(
                    f"{label}: unknown group {source.group!r}.",
                    hint="Use a key of privacy.taxonomy.GROUPS.",
                    obj=source.model,
                    id="privacy.E009",
                )
            )
        if source.review_outcomes and not (source.human_review and source.row_ai_system_field):
            errors.append(
                Error(
                    f"{label}: review outcomes need human_review=True and a row_ai_system_field.",
                    obj=source.model,
                    id="privacy.E010",
                )
            )
        # Customers never see a staff-only kind: anything it offers them is unreachable.
        offered = [
            name
            for name, offers in (
                ("human_review", source.human_review),
                ("flaggable", source.flaggable),
                ("manage_url_name", source.manage_url_name),
                ("in_force", source.in_force),
            )
            if offers
        ]
        if source.staff_only and offered:
            errors.append(
                Error(
                    f"{label}: a staff-only kind offers customers {', '.join(offered)}.",
                    hint="Customers never see it: drop staff_only=True, or what it offers them.",
                    obj=source.model,
                    id="privacy.E011",
                )
            )
        if source.erasure.action == ErasureAction.RETAIN and not source.erasure.reason.strip():
            errors.append(Error(f"{label}: retaining data needs a legal reason.", obj=source.model, id="privacy.E007"))
        if source.erasure.action == ErasureAction.ANONYMIZE and not source.erasure.replacements:
            errors.append(
                Error(f"{label}: anonymising needs at least one replacement.", obj=source.model, id="privacy.E008")
            )
    return errors
