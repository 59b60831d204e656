"""Admins whose every write goes through a service that records it in the audit trail.

Django's admin writes in four hooks: save_model and save_related (add, change,
the change list's editable columns, inlines), delete_model (the delete page)
and delete_queryset (the "delete selected" action). AuditedAdmin routes all
four through `save_audited` and `delete_audited`, which call a service: by
default privacy's generic staff-edit services (one event naming the model and
the changed fields), or the model's own services where a subclass overrides
them. Actions and extra admin pages write through services too, and say so
with `@audited`.

tests/privacy/test_admin_audit.py walks every registered admin and fails for a
write path (add, change, delete, an inline, an action, an extra page) that
does not go this way, so a new admin cannot bypass the trail unnoticed.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from privacy import services
from privacy.typing import signed_in

AUDITED = "writes_are_audited"


def audited[F: Callable[..., Any]](action_or_view: F) -> F:
    """Mark an admin action or page whose every write goes through a service that records it.

    Put it above @admin.action. The walk in tests/privacy/test_admin_audit.py
    accepts a marked action or page; each one has its own test of the event.
    """
    setattr(action_or_view, AUDITED, True)
    return action_or_view


class AuditedAdmin[ModelT: Model](admin.ModelAdmin[ModelT]):
    """A ModelAdmin whose adds, changes and deletes each leave an event in the audit trail."""

    def save_model(self, request: HttpRequest, obj: ModelT, form: Any, change: bool) -> None:
        # Nothing is written here: save_related saves the row with its
        # many-to-many fields and inlines, in one service call and one event.
        pass

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        saved = self.save_audited(request, form=form, formsets=formsets, change=change)
        if saved is not form.instance:
            # The service saved a row of its own (with a token, a secret, a
            # version): the admin goes on (to its message, its history entry,
            # the redirect to its page) with that row.
            form.instance.pk = saved.pk
            form.instance.refresh_from_db()
        for formset in formsets:
            if not hasattr(formset, "new_objects"):
                # An inline the service had nothing to save from (a read-only
                # one): saving it writes nothing, and Django's history entry
                # reads what it saved.
                if formset.has_changed():
                    raise RuntimeError(f"{type(self).__name__}.save_audited left a changed inline unsaved")
                formset.save()

    def delete_model(self, request: HttpRequest, obj: ModelT) -> None:
        self.delete_audited(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # One by one, so each row deleted has its own event.
        for obj in queryset:
            self.delete_audited(request, obj)

    def save_audited(
        self,
        request: HttpRequest,
        *,
        form: forms.ModelForm[ModelT],
        formsets: Sequence[forms.BaseModelFormSet[Any, Any]],
        change: bool,
    ) -> ModelT:
        """Write what staff submitted through a service that records it; return the row it saved."""
        return services.admin_form_save(form=form, formsets=formsets, actor_id=signed_in(request).pk)

    def delete_audited(self, request: HttpRequest, obj: ModelT) -> None:
        """Delete one row through a service that records it."""
        services.admin_object_delete(obj=obj, actor_id=signed_in(request).pk)
