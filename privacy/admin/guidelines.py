"""The staff guidelines: each save publishes a new version; acknowledgements listed per version."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django_stubs_ext import WithAnnotations
from modeltranslation.utils import build_localized_fieldname

from privacy import selectors, services
from privacy.admin.audited import AuditedAdmin
from privacy.languages import language_name_for_staff
from privacy.models import GuidelinesAcknowledgement, StaffGuidelines
from privacy.staff_text import staff_markdown
from privacy.typing import signed_in

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec

# Shown as HTML under the field (Django marks help texts safe).
MARKDOWN_HELP = (
    "Markdown is accepted: leave a blank line between paragraphs, start list items with <code>- </code> "
    "or <code>1. </code>, a heading with <code>## </code>, and write <code>**bold**</code> or "
    "<code>[a link](https://example.com)</code>. HTML tags show as typed. Staff read it as it appears "
    "on a published version's page."
)


# The text in each language offered (privacy/translation.py); English is required.
TEXT_FIELDS = tuple(build_localized_fieldname("text", code) for code, _name in settings.LANGUAGES)


class StaffGuidelinesForm(forms.ModelForm[StaffGuidelines]):
    class Meta:
        model = StaffGuidelines
        fields = TEXT_FIELDS
        labels = {
            build_localized_fieldname("text", code): f"Text in {language_name_for_staff(code)}"
            for code, _name in settings.LANGUAGES
        }
        help_texts = {build_localized_fieldname("text", settings.LANGUAGE_CODE): MARKDOWN_HELP}
        widgets = {
            field: forms.Textarea(attrs={"rows": 18, "class": "vLargeTextField staff-text-source"})
            for field in TEXT_FIELDS
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in TEXT_FIELDS:
            if field not in self.fields:
                continue  # a published version's page shows them read-only
            self.fields[field].required = field == build_localized_fieldname("text", settings.LANGUAGE_CODE)
            if not self.fields[field].required:
                self.fields[field].help_text = "Optional: staff who read this language see it beside the English."


class GuidelinesAcknowledgementInline(admin.TabularInline[GuidelinesAcknowledgement, StaffGuidelines]):
    model = GuidelinesAcknowledgement
    extra = 0
    fields = ("user", "acknowledged_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: StaffGuidelines | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[GuidelinesAcknowledgement]:
        # Each row names who acknowledged (and its form the version): fetched with the rows, not one query each.
        return super().get_queryset(request).select_related("user", "guidelines")


class _Counts(TypedDict):
    """What StaffGuidelinesAdmin.get_queryset annotates on each version."""

    _acks: int


@admin.register(StaffGuidelines)
class StaffGuidelinesAdmin(AuditedAdmin[StaffGuidelines]):
    """Each save publishes a new version; everyone must acknowledge it again."""

    list_display = ("version", "published_at", "published_by", "acknowledgement_count")
    form = StaffGuidelinesForm
    inlines = [GuidelinesAcknowledgementInline]
    # The model's own ordering is dropped from the counted (GROUP BY) query.
    ordering = ("-version",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffGuidelines]:
        return super().get_queryset(request).select_related("published_by").annotate(_acks=Count("acknowledgements"))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # A new version usually amends the one in force: start from its text.
        current = selectors.current_guidelines()
        return {field: getattr(current, field) for field in TEXT_FIELDS} if current else {}

    @admin.display(description="acknowledged by")
    def acknowledgement_count(self, obj: "WithAnnotations[StaffGuidelines, _Counts]") -> int:
        return obj._acks

    def get_fieldsets(self, request: HttpRequest, obj: StaffGuidelines | None = None) -> "_FieldsetSpec":
        if obj is None:
            return [(None, {"fields": list(TEXT_FIELDS)})]
        # A published version: shown as staff read it, its Markdown folded away.
        return [
            (None, {"fields": ["version", "published_at", "published_by", "rendered_text"]}),
            ("Markdown source", {"classes": ["collapse"], "fields": list(TEXT_FIELDS)}),
        ]

    def get_inline_instances(self, request: HttpRequest, obj: StaffGuidelines | None = None) -> list[Any]:
        return super().get_inline_instances(request, obj) if obj is not None else []  # none before it is published

    def get_readonly_fields(self, request: HttpRequest, obj: StaffGuidelines | None = None) -> tuple[str, ...]:
        return () if obj is None else ("version", "published_at", "published_by", "rendered_text", *TEXT_FIELDS)

    @admin.display(description="As staff read it")
    def rendered_text(self, obj: StaffGuidelines) -> SafeString:
        # English first (the version staff acknowledge), then each translation there is.
        parts = [
            format_html(
                '<div class="staff-text">{}</div>',
                staff_markdown(getattr(obj, build_localized_fieldname("text", settings.LANGUAGE_CODE))),
            )
        ]
        for code, _name in settings.LANGUAGES:
            text = getattr(obj, build_localized_fieldname("text", code)) if code != settings.LANGUAGE_CODE else ""
            if text:
                parts.append(
                    format_html(
                        '<details class="staff-text-translation"><summary>In {}</summary><div class="staff-text" lang="{}">{}</div></details>',
                        language_name_for_staff(code),
                        code,
                        staff_markdown(text),
                    )
                )
        return format_html_join("", "{}", ((part,) for part in parts))

    def has_change_permission(self, request: HttpRequest, obj: StaffGuidelines | None = None) -> bool:
        return False  # a published version is never edited: publish a new one

    def has_delete_permission(self, request: HttpRequest, obj: StaffGuidelines | None = None) -> bool:
        return False

    def save_audited(
        self,
        request: HttpRequest,
        *,
        form: forms.ModelForm[StaffGuidelines],
        formsets: Sequence[forms.BaseModelFormSet[Any, Any]],
        change: bool,
    ) -> StaffGuidelines:
        texts = {
            code: form.cleaned_data.get(build_localized_fieldname("text", code)) or "" for code, _ in settings.LANGUAGES
        }
        english = texts.pop(settings.LANGUAGE_CODE)
        return services.guidelines_publish(text=english, translations=texts, staff_user=signed_in(request))
