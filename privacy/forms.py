from django import forms

from privacy.models import AIOutputFlag


class ChoiceForm(forms.Form):
    """One switch: on or off."""

    allowed = forms.TypedChoiceField(choices=[("true", "On"), ("false", "Off")], coerce=lambda v: v == "true")


class PurposeChoiceForm(ChoiceForm):
    # The notice version the customer had in front of them when they chose.
    notice_version = forms.IntegerField(min_value=1)


class HumanReviewForm(forms.Form):
    statement = forms.CharField(
        label="What would you like a person to look at?",
        help_text="Tell us what happened and what you think is wrong. A member of our team will read it.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )
    contests_outcome = forms.BooleanField(
        label="I contest the outcome and want a person to decide again", required=False
    )


class AIOutputFlagForm(forms.Form):
    reason = forms.ChoiceField(label="What is wrong with it?", choices=AIOutputFlag.Reason.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="Anything you would like to add (optional)", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))
