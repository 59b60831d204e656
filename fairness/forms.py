from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fairness.selectors import volunteer_questions

PREFER_NOT_TO_SAY = ("", _("I prefer not to say"))


class VolunteerForm(forms.Form):
    """One question per attribute a customer may volunteer, each optional, and explicit consent."""

    consent = forms.BooleanField(
        label=_(
            "I agree that you use these answers only to check that your AI systems treat groups of customers "
            "alike. I can withdraw this consent at any time, and my answers are then deleted."
        ),
        required=False,
    )
    notice_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = volunteer_questions()
        for attribute in self.questions:
            self.fields[f"answer_{attribute.key}"] = forms.ChoiceField(
                label=attribute.question or attribute.label,
                help_text=attribute.help_text,
                choices=[PREFER_NOT_TO_SAY, *attribute.values],
                required=False,
                widget=forms.RadioSelect,
            )
        # The consent box comes after the questions.
        self.order_fields([*(f"answer_{a.key}" for a in self.questions), "consent", "notice_version"])

    def answers(self) -> dict[str, str]:
        return {attribute.key: self.cleaned_data.get(f"answer_{attribute.key}", "") for attribute in self.questions}

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if any(self.answers().values()) and not self.cleaned_data.get("consent"):
            self.add_error("consent", _("To give any answer, please tick the box: we need your explicit consent."))
            self.add_error(
                None,
                _(
                    "Your answers are not saved yet: tick the consent box at the bottom, or choose "
                    "“I prefer not to say” for each question. To delete answers you gave before, "
                    "withdraw your consent below."
                ),
            )
        return cleaned
