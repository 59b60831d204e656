"""An admin that shows records and never changes them (the audit trail, stored audits)."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest


class ReadOnlyAdmin[ModelT: models.Model](admin.ModelAdmin[ModelT]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False
