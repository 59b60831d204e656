from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.models import AIOutputFlag


class ChoiceForm(forms.Form):
    """One switch: on or off."""

    allowed = forms.TypedChoiceField(choices=[("true", "On"), ("false", "Off")], coerce=lambda v: v == "true")


class PurposeChoiceForm(ChoiceForm):
    # The notice version the customer had in front of them when they chose.
    notice_version = forms.IntegerField(min_value=1)


class HumanReviewForm(forms.Form):
    statement = forms.CharField(
        label=_("What would you like a person to look at?"),
        help_text=_("Tell us what happened and what you think is wrong. A member of our team will read it."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )
    contests_outcome = forms.BooleanField(
        label=_("I contest the outcome and want a person to decide again"), required=False
    )

    def __init__(self, *args: Any, statement_required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not statement_required:
            # Contesting a decision: the decision is the question; words are welcome, not required.
            statement = self.fields["statement"]
            statement.required = False
            statement.label = _("Anything you would like the person to know (optional)")
            statement.help_text = _("For example what happened, or why you think the decision is wrong.")
            statement.widget.attrs["rows"] = 3


class AIOutputFlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with it?", choices=AIOutputFlag.Reason.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Anything you would like to add (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


ERASURE_CONFIRMATION_PHRASE = "erase my data"


class ErasureConfirmForm(forms.Form):
    confirmation = forms.CharField(
        label=f"To confirm, type “{ERASURE_CONFIRMATION_PHRASE}”",
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_confirmation(self) -> str:
        typed = " ".join(self.cleaned_data["confirmation"].lower().split())
        if typed != ERASURE_CONFIRMATION_PHRASE:
            raise forms.ValidationError(f"Type exactly “{ERASURE_CONFIRMATION_PHRASE}” to confirm.")
        return typed


class DenyForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the customer reads this)", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class ExtendForm(forms.Form):
    days = forms.IntegerField(label="Extend by (days)", min_value=1, max_value=60, initial=30)
    reason = forms.CharField(
        label="Reason (the customer reads this)", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
