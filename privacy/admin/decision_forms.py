"""The forms staff fill in to deny a request or extend its deadline: a reason the customer reads.

The reason is asked in English (what colleagues and the audit trail read)
and, optionally, in each other language offered. The customer reads their
own language's, or the English one marked "(not yet translated)".
"""

from collections.abc import Collection
from typing import Any

from django import forms
from django.conf import settings

from privacy.languages import language_name_for_staff

REASON_MAX_LENGTH = 2000


def reason_field_name(code: str) -> str:
    return "reason" if code == settings.LANGUAGE_CODE else f"reason_{code}"


class ReasonForm(forms.Form):
    """A reason in English (required) and in the customers' other languages (optional).

    `languages`: the languages of the customers the decision is for; the form
    offers a field for each (every language offered when not given).
    """

    def __init__(self, *args: Any, languages: Collection[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, _name in settings.LANGUAGES:
            english = code == settings.LANGUAGE_CODE
            if not english and languages is not None and code not in languages:
                continue
            name = language_name_for_staff(code)
            self.fields[reason_field_name(code)] = forms.CharField(
                label=f"Reason in {name} (the customer reads this)" if english else f"Reason in {name} (optional)",
                help_text=""
                if english
                else f"For customers who read {name}. Left empty, they read the English with a note that it is not yet translated.",
                required=english,
                max_length=REASON_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4 if english else 3}),
            )

    def translations(self) -> dict[str, str]:
        """The reason in each language other than English, by language code."""
        return {
            code: self.cleaned_data.get(reason_field_name(code)) or ""
            for code, _name in settings.LANGUAGES
            if code != settings.LANGUAGE_CODE
        }


class DenyForm(ReasonForm):
    pass


class ExtendForm(ReasonForm):
    days = forms.IntegerField(label="Extend by (days)", min_value=1, max_value=60, initial=30)

    field_order = ["days"]
