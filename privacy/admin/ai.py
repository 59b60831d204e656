"""AI systems' transparency cards and the switchable AI purposes."""

from collections.abc import Sequence
from typing import Any, TypedDict

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django_stubs_ext import WithAnnotations
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import build_localized_fieldname

from privacy import services
from privacy.admin.audited import AuditedAdmin
from privacy.admin.staff_words import StaffChoicesFilter
from privacy.models import AIPurpose, AIPurposeNotice, AISystem
from privacy.taxonomy import CATEGORIES
from privacy.typing import signed_in


class _Counts(TypedDict):
    """What AISystemAdmin.get_queryset annotates on each system."""

    _flags: int
    _reviews: int


@admin.register(AISystem)
class AISystemAdmin(TranslationAdmin[AISystem], AuditedAdmin[AISystem]):
    list_display = ("name", "slug", "provider", "flag_count", "review_count", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "provider")
    prepopulated_fields = {"slug": ("name",)}
    # The model's own ordering is dropped from the counted (GROUP BY) query.
    ordering = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AISystem]:
        # Counted in the list's one query: how customers judge each system.
        return (
            super()
            .get_queryset(request)
            .annotate(_flags=Count("flags", distinct=True), _reviews=Count("humanreviewrequest", distinct=True))
        )

    @admin.display(description="Flags from customers", ordering="_flags")
    def flag_count(self, obj: "WithAnnotations[AISystem, _Counts]") -> int:
        return obj._flags

    @admin.display(description="Human reviews asked", ordering="_reviews")
    def review_count(self, obj: "WithAnnotations[AISystem, _Counts]") -> int:
        return obj._reviews

    def get_form(
        self, request: HttpRequest, obj: AISystem | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[AISystem]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        # Staff who may only view the card (support agents) get a form without editable fields.
        if "data_categories" in form.base_fields:
            form.base_fields["data_categories"].help_text = "A JSON list of: " + ", ".join(sorted(CATEGORIES))
        return form


# --- AI purposes, preferences, reviews ------------------------------------


NOTICE_FIELDS: tuple[str, ...] = (
    "version",
    "published_at",
    *(build_localized_fieldname("text", code) for code, _ in settings.LANGUAGES),
)


class AIPurposeNoticeInline(admin.TabularInline[AIPurposeNotice, AIPurpose]):
    model = AIPurposeNotice
    extra = 0
    # Every version in every language: a consent names the version and the language the customer read.
    fields = NOTICE_FIELDS
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: AIPurpose | None = None) -> bool:
        return False


# The legal bases' labels speak to the customer ("on until you switch it off").
STAFF_LEGAL_BASES = {
    AIPurpose.LegalBasis.CONSENT: "Consent (off until the customer opts in)",
    AIPurpose.LegalBasis.LEGITIMATE_INTERESTS: "Legitimate interests (on until the customer opts out)",
}


class LegalBasisFilter(StaffChoicesFilter):
    title = "legal basis"
    parameter_name = "legal_basis"
    labels = STAFF_LEGAL_BASES


@admin.register(AIPurpose)
class AIPurposeAdmin(TranslationAdmin[AIPurpose], AuditedAdmin[AIPurpose]):
    list_display = ("name", "slug", "basis", "gpc_applies", "notice_version", "is_active", "display_order")
    list_filter = (LegalBasisFilter, "gpc_applies", "is_active")
    filter_horizontal = ("ai_systems",)
    readonly_fields = ("notice_version",)
    inlines = [AIPurposeNoticeInline]

    @admin.display(description="legal basis", ordering="legal_basis")
    def basis(self, obj: AIPurpose) -> str:
        return STAFF_LEGAL_BASES[AIPurpose.LegalBasis(obj.legal_basis)]

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "legal_basis":
            kwargs["choices"] = list(STAFF_LEGAL_BASES.items())
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: AIPurpose | None = None) -> tuple[str, ...]:
        # Changing the legal basis would silently switch AI on (or off) for
        # every customer who never chose: retire the purpose and add a new one.
        return ("notice_version", "slug", "legal_basis") if obj else ("notice_version",)

    def save_audited(
        self,
        request: HttpRequest,
        *,
        form: forms.ModelForm[AIPurpose],
        formsets: Sequence[forms.BaseModelFormSet[Any, Any]],
        change: bool,
    ) -> AIPurpose:
        # The service versions a changed notice and makes the permission API see the change at once.
        return services.ai_purpose_save(
            purpose=form.instance,
            ai_systems=form.cleaned_data["ai_systems"],
            notice_text=form.cleaned_data[build_localized_fieldname("notice_text", settings.LANGUAGE_CODE)],
            notice_translations={
                code: form.cleaned_data.get(build_localized_fieldname("notice_text", code)) or ""
                for code, _name in settings.LANGUAGES
                if code != settings.LANGUAGE_CODE
            },
            changed=form.changed_data,
            actor_id=signed_in(request).pk,
        )

    def delete_audited(self, request: HttpRequest, obj: AIPurpose) -> None:
        services.ai_purpose_delete(purpose=obj, actor_id=signed_in(request).pk)
