"""Staff words for choices whose labels speak to the customer ("Waiting for our privacy team", "In your favour")."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest


class StaffChoicesFilter(admin.SimpleListFilter):
    """A list filter on a choice field that names the choices in staff words (`labels`: value -> words)."""

    labels: dict[Any, str] = {}

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, str]]:
        return [(str(value), label) for value, label in self.labels.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(**{str(self.parameter_name): self.value()}) if self.value() else queryset
