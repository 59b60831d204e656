"""Rows that are evidence: written once, never edited or deleted through the ORM."""

from django.db import models


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk edits are refused too (a database trigger refuses raw ones where there is one)."""

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.verbose_name} rows are never changed")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.verbose_name} rows are never deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(f"{self._meta.verbose_name} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.verbose_name} rows are never deleted")
