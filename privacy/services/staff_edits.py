"""What staff save or delete in the admin for a model without services of its own, recorded in the audit trail.

The admin (privacy/admin/audited.py) calls these for every add, change and
delete it offers; a model with rules of its own (a token, a versioned notice,
a checked URL) has its own services instead. Each event names the model, the
row and the NAMES of the fields that changed — never their values, which may
be personal data (an e-mail address, a message).
"""

import re
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db import transaction
from django.db.models import Model

from privacy.services.audit import audit_record
from privacy.typing import JSONObject

# "AISystem" -> "ai_system", "APIClient" -> "api_client", "EmailAddress" -> "email_address".
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def audit_entity(model: type[Model] | Model) -> str:
    """How the trail's actions name a model: its class name in snake case, as in "api_client.created"."""
    return _WORD_BOUNDARY.sub("_", model._meta.object_name or "").lower()


@transaction.atomic
def admin_form_save[M: Model](
    *,
    form: forms.ModelForm[M],
    formsets: Sequence[forms.BaseModelFormSet[Any, Any]] = (),
    actor_id: int,
) -> M:
    """Save a validated admin form (the row and its many-to-many fields) and its inlines; record it.

    A change that changes nothing writes nothing and records nothing.
    """
    obj = form.instance
    created = obj._state.adding
    inlines_changed = [formset for formset in formsets if formset.has_changed()]
    if not created and not form.has_changed() and not inlines_changed:
        return obj
    obj = form.save()
    inlines: JSONObject = {}
    for formset in inlines_changed:
        formset.save()
        inlines[cast(type[Model], formset.model)._meta.label_lower] = {
            "created": len(formset.new_objects),
            "changed": len(formset.changed_objects),
            "deleted": len(formset.deleted_objects),
            "fields": sorted({name for _, names in formset.changed_objects for name in names}),
        }
    details: JSONObject = {"model": obj._meta.label_lower, "fields": sorted(form.changed_data)}
    if inlines:
        details["inlines"] = inlines
    audit_record(
        action=f"{audit_entity(obj)}.{'created' if created else 'changed'}", actor_id=actor_id, obj=obj, details=details
    )
    return obj


@transaction.atomic
def admin_object_delete(*, obj: Model, actor_id: int) -> None:
    """Delete one row staff chose in the admin; record it with how many rows went with it."""
    model, pk = type(obj), obj.pk
    _, per_model = obj.delete()
    # Counts per model of what the delete cascaded to: what else went, never what it said.
    cascaded = {label.lower(): count for label, count in per_model.items() if count and label != model._meta.label}
    audit_record(
        action=f"{audit_entity(model)}.deleted",
        actor_id=actor_id,
        obj=model(pk=pk),
        details={"model": model._meta.label_lower, "cascaded": cascaded},
    )
