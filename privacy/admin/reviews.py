"""Human reviews (answered with a structured result), AI-output flags and preference breaches."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django_stubs_ext import StrOrPromise

from privacy import selectors, services
from privacy.admin.audited import AuditedAdmin, audited
from privacy.languages import language_for_staff
from privacy.models import AIOutputFlag, HumanReviewRequest, PreferenceBreach
from privacy.typing import Customer, signed_in

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec


def subject_html(subject: selectors.SubjectView | None, parts: Sequence[selectors.SubjectPart] = ()) -> str:
    """The one row a review or a flag is about, with its parts (a conversation's messages).

    Shown on the review's or flag's own page, so staff who answer it need no
    permission to browse the customer's data.
    """
    if subject is None:
        return "(no longer held)"
    # In staff words: the registry's labels and choices speak to the customer ("Your conversations", "You").
    cells = format_html_join(
        "", "<div><strong>{}:</strong> {}</div>", ((cell.staff_label, _staff_value(cell)) for cell in subject.row.cells)
    )
    tables = format_html_join("", "{}", ((_part_html(part),) for part in parts if part.rows))
    return format_html("<p>{}</p>{}{}", subject.source.staff_label, cells, tables)


def _staff_value(cell: selectors.FieldView) -> str:
    return cell.value if cell.staff_value is None else cell.staff_value


def _part_html(part: selectors.SubjectPart) -> str:
    head = format_html_join("", "<th>{}</th>", ((cell.staff_label,) for cell in part.rows[0].cells))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((_staff_value(cell),) for cell in row.cells)),) for row in part.rows),
    )
    shown = f" (the newest {len(part.rows)} of {part.count})" if part.count > len(part.rows) else ""
    return format_html(
        "<p>{}{}</p><table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
        part.source.staff_label,
        shown,
        head,
        body,
    )


class HumanReviewAnswerForm(forms.ModelForm[HumanReviewRequest]):
    """A person's structured answer: the outcome stands or is changed (to what), and a message."""

    result = forms.ChoiceField(
        label="Result", choices=HumanReviewRequest.Result.choices, widget=forms.RadioSelect, required=True
    )
    new_outcome = forms.ChoiceField(label="New outcome (when changed)", required=False, choices=[("", "—")])
    new_outcome_label = forms.CharField(
        label="New outcome, in the customer's words (when changed)",
        required=False,
        max_length=200,
        help_text="E.g. “Refund approved”: the customer reads it as the decision's new outcome.",
    )
    answer = forms.CharField(
        label="Message to the customer",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="What a person found, in plain words. The customer reads it in the portal.",
    )

    class Meta:
        model = HumanReviewRequest
        fields = ("result", "new_outcome", "new_outcome_label", "answer")

    # Where the admin page is, for the link back after acknowledging guidelines.
    staff_path = ""

    def __init__(
        self,
        *args: Any,
        outcome_choices: Sequence[tuple[str, str]] = (),
        staff_user: Customer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.staff_user = staff_user
        if outcome_choices:
            new_outcome = self.fields["new_outcome"]
            assert isinstance(new_outcome, forms.ChoiceField)
            new_outcome.choices = [("", "—"), *outcome_choices]
        else:
            # Nothing to change to: the subject is not an outcome (a conversation, say).
            # (Once answered, the fields are read-only and not in the form at all.)
            self.fields.pop("new_outcome", None)
            self.fields.pop("new_outcome_label", None)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("result") == HumanReviewRequest.Result.CHANGED and "new_outcome" in self.fields:
            if not cleaned.get("new_outcome"):
                self.add_error("new_outcome", "Say what the outcome becomes.")
            if not cleaned.get("new_outcome_label", "").strip():
                self.add_error("new_outcome_label", "Say it in the customer's words, e.g. “Refund approved”.")
        # Refused here, not after saving: what was typed stays in the form.
        if self.staff_user is not None:
            try:
                services.require_acknowledged_guidelines(self.staff_user)
            except services.GuidelinesNotAcknowledged as refusal:
                url = reverse("admin:privacy_guidelines_acknowledge") + "?" + urlencode({"next": self.staff_path})
                raise forms.ValidationError(
                    format_html('{} <a href="{}">Read them now</a> (your answer is kept here).', str(refusal), url)
                ) from None
        return cleaned


@admin.register(HumanReviewRequest)
class HumanReviewRequestAdmin(AuditedAdmin[HumanReviewRequest]):
    list_display = (
        "id",
        "user",
        "language",
        "ai_system",
        "contests_outcome",
        "status",
        "result",
        "created_at",
        "due_at",
    )
    date_hierarchy = "created_at"
    list_filter = ("status", "result", "ai_system", "contests_outcome")
    list_select_related = ("user", "ai_system")
    search_fields = ("user__email",)
    form = HumanReviewAnswerForm
    # What the customer asked: shown, never edited.
    asked_fields = (
        "user",
        "language",
        "ai_system",
        "subject_summary",
        "statement",
        "contests_outcome",
        "status",
        "created_at",
        "due_at",
    )
    readonly_fields = (*asked_fields, "answered_at", "answered_by")
    answered_fields = ("result", "new_outcome_label", "answer")

    actions = ["start_review"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_fieldsets(self, request: HttpRequest, obj: HumanReviewRequest | None = None) -> "_FieldsetSpec":
        answer: list[str]
        if obj is not None and obj.status == HumanReviewRequest.Status.ANSWERED:
            answer = [*self.answered_fields, "answered_at", "answered_by"]
        else:
            answer = [
                name
                for name in ("result", "new_outcome", "new_outcome_label", "answer")
                if name in self._outcome_fields(obj)
            ]
        return [
            ("What the customer asked", {"fields": list(self.asked_fields)}),
            ("The answer", {"fields": list(answer)}),
        ]

    def _outcome_fields(self, obj: HumanReviewRequest | None) -> set[str]:
        source = selectors.human_review_subject_source(obj) if obj is not None else None
        base = {"result", "answer"}
        return base | {"new_outcome", "new_outcome_label"} if source and source.review_outcomes else base

    def get_readonly_fields(self, request: HttpRequest, obj: HumanReviewRequest | None = None) -> tuple[str, ...]:
        if obj is not None and obj.status == HumanReviewRequest.Status.ANSWERED:
            return (*self.readonly_fields, *self.answered_fields)  # the customer already has it
        return self.readonly_fields

    def get_form(
        self, request: HttpRequest, obj: HumanReviewRequest | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[HumanReviewRequest]]:
        source = selectors.human_review_subject_source(obj) if obj is not None else None
        choices = source.review_outcomes.choices if source and source.review_outcomes else ()
        form = super().get_form(request, obj, change=change, **kwargs)
        staff_user = signed_in(request)

        class AnswerForm(form):  # type: ignore[valid-type,misc]  # the admin builds `form` at run time
            staff_path = request.get_full_path()

            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, outcome_choices=choices, staff_user=staff_user, **form_kwargs)

        return AnswerForm

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        review = self.get_object(request, object_id)
        if (
            request.method == "GET"
            and review is not None
            and review.status != HumanReviewRequest.Status.ANSWERED
            and not selectors.staff_acknowledged_current_guidelines(signed_in(request))
        ):
            # Said before anything is typed: answering needs the current guidelines acknowledged.
            url = reverse("admin:privacy_guidelines_acknowledge") + "?" + urlencode({"next": request.get_full_path()})
            messages.warning(
                request,
                format_html(
                    "Before answering, read and acknowledge the current AI ethics and privacy guidelines. "
                    '<a href="{}">Read them now</a>.',
                    url,
                ),
            )
        if review is not None and review.status == HumanReviewRequest.Status.ANSWERED:
            # Answered once, for good: nothing on the page can be saved, so no button offers to.
            no_saving = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
            extra_context = {**(extra_context or {}), **no_saving}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="customer's language", ordering="user__preferred_language")
    def language(self, obj: HumanReviewRequest) -> str:
        return language_for_staff(obj.user)

    @admin.display(description="About")
    def subject_summary(self, obj: HumanReviewRequest) -> str:
        subject = selectors.human_review_subject(review=obj)
        parts = selectors.subject_parts(subject=subject, user=obj.user) if subject else []
        return subject_html(subject, parts)

    @audited
    @admin.action(description="Start reviewing (the customer sees it is being looked at)", permissions=["change"])
    def start_review(self, request: HttpRequest, queryset: QuerySet[HumanReviewRequest]) -> None:
        staff_user = signed_in(request)
        try:
            services.require_acknowledged_guidelines(staff_user)
        except services.GuidelinesNotAcknowledged as refusal:
            messages.error(request, str(refusal))
            return
        started = sum(services.human_review_start(review=review, staff_user=staff_user) for review in queryset)
        messages.success(request, f"{started} review(s) started.")

    def save_audited(
        self,
        request: HttpRequest,
        *,
        form: forms.ModelForm[HumanReviewRequest],
        formsets: Sequence[forms.BaseModelFormSet[Any, Any]],
        change: bool,
    ) -> HumanReviewRequest:
        # The one change staff make here is the answer, through its service (audited, the customer e-mailed).
        review = form.instance
        if review.status == HumanReviewRequest.Status.ANSWERED and not form.changed_data:
            return review
        data = form.cleaned_data
        request.review_answer_reported = True  # type: ignore[attr-defined]  # our message replaces Django's "changed successfully"
        try:
            answered = services.human_review_answer(
                review=HumanReviewRequest.objects.get(pk=review.pk),
                answer=data["answer"],
                staff_user=signed_in(request),
                result=data["result"],
                new_outcome=data.get("new_outcome", ""),
                new_outcome_label=data.get("new_outcome_label", ""),
            )
        except (ValueError, services.GuidelinesNotAcknowledged) as refusal:
            messages.error(request, str(refusal))
            return review
        messages.success(request, "The answer is saved and the customer has been e-mailed.")
        return answered

    def message_user(
        self, request: HttpRequest, message: StrOrPromise, level: int | str = messages.INFO, *args: Any, **kwargs: Any
    ) -> None:
        if getattr(request, "review_answer_reported", False) and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)


@admin.register(AIOutputFlag)
class AIOutputFlagAdmin(AuditedAdmin[AIOutputFlag]):
    list_display = ("id", "ai_system", "reason", "language", "created_at")
    list_filter = ("ai_system", "reason")
    list_select_related = ("ai_system", "user")
    readonly_fields = (
        "user",
        "language",
        "ai_system",
        "flagged_output",
        "content_type",
        "object_id",
        "reason",
        "comment",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": ("user", "language", "ai_system", "flagged_output", "reason", "comment", "created_at")}),
        # How the flag points at the row: for troubleshooting, folded away.
        ("The row flagged, by reference", {"classes": ("collapse",), "fields": ("content_type", "object_id")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # Staff who follow a flag up with the customer write in this language.
    @admin.display(description="customer's language", ordering="user__preferred_language")
    def language(self, obj: AIOutputFlag) -> str:
        return language_for_staff(obj.user)

    @admin.display(description="Flagged output")
    def flagged_output(self, obj: AIOutputFlag) -> str:
        return subject_html(selectors.ai_output_flag_subject(flag=obj))


@admin.register(PreferenceBreach)
class PreferenceBreachAdmin(AuditedAdmin[PreferenceBreach]):
    """AI use the business's systems reported against a customer's choice."""

    list_display = ("id", "purpose", "reason", "api_client", "content_type", "object_id", "detected_at")
    list_filter = ("purpose", "reason", "api_client")
    list_select_related = ("purpose", "api_client", "content_type")
    readonly_fields = ("user", "purpose", "reason", "api_client", "content_type", "object_id", "detected_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PreferenceBreach | None = None) -> bool:
        return False
