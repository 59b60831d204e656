"""The staff guidelines: each save publishes a new version; acknowledgements listed per version."""

from typing import TypedDict

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django_stubs_ext import WithAnnotations

from privacy import services
from privacy.models import GuidelinesAcknowledgement, StaffGuidelines
from privacy.typing import signed_in


class GuidelinesAcknowledgementInline(admin.TabularInline[GuidelinesAcknowledgement, StaffGuidelines]):
    model = GuidelinesAcknowledgement
    extra = 0
    fields = ("user", "acknowledged_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: StaffGuidelines | None = None) -> bool:
        return False


class _Counts(TypedDict):
    """What StaffGuidelinesAdmin.get_queryset annotates on each version."""

    _acks: int


@admin.register(StaffGuidelines)
class StaffGuidelinesAdmin(admin.ModelAdmin[StaffGuidelines]):
    """Each save publishes a new version; everyone must acknowledge it again."""

    list_display = ("version", "published_at", "published_by", "acknowledgement_count")
    fields = ("text",)
    inlines = [GuidelinesAcknowledgementInline]
    # The model's own ordering is dropped from the counted (GROUP BY) query.
    ordering = ("-version",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffGuidelines]:
        return super().get_queryset(request).select_related("published_by").annotate(_acks=Count("acknowledgements"))

    @admin.display(description="acknowledged by")
    def acknowledgement_count(self, obj: "WithAnnotations[StaffGuidelines, _Counts]") -> int:
        return obj._acks

    def has_change_permission(self, request: HttpRequest, obj: StaffGuidelines | None = None) -> bool:
        return False  # a published version is never edited: publish a new one

    def has_delete_permission(self, request: HttpRequest, obj: StaffGuidelines | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: StaffGuidelines, form: forms.ModelForm[StaffGuidelines], change: bool
    ) -> None:
        published = services.guidelines_publish(text=form.cleaned_data["text"], staff_user=signed_in(request))
        obj.__dict__.update(published.__dict__)
