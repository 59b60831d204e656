from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.renderers import BaseRenderer
from django.forms.widgets import Script
from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from privacy.models import AIOutputFlag


class CountedTextarea(forms.Textarea):
    """A text area that says its limit, and counts towards it as the customer types.

    Without JavaScript the hint below it reads "Up to 2,000 characters";
    static/js/char-count.js turns it into "143 of 2,000 characters". The hint
    describes the text area (aria-describedby), so a screen reader reads it too.
    """

    class Media:
        js = [Script("js/char-count.js", defer=True)]

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        attrs = dict(attrs or {})
        limit = int(self.attrs.get("data-max-chars") or attrs.get("data-max-chars") or 0)
        field_id = attrs.get("id") or self.attrs.get("id")
        if not limit or not field_id:
            return super().render(name, value, attrs, renderer)
        hint_id = f"{field_id}_count"
        attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), hint_id]))
        attrs["data-count-hint"] = hint_id
        grouped = number_format(limit, force_grouping=True)
        return format_html(
            '{}<small class="char-count" id="{}" data-count-text="{}" data-over-text="{}">{}</small>',
            super().render(name, value, attrs, renderer),
            hint_id,
            # The script's words, translated here: {count}, {limit} and {over} are filled in as one types.
            gettext("{count} of {limit} characters"),
            gettext("{count} of {limit} characters: {over} too many"),
            gettext("Up to %(limit)s characters.") % {"limit": grouped},
        )


class LongTextField(forms.CharField):
    """Free text with a limit that is said and counted, never silently applied.

    The browser's maxlength would cut pasted text at the limit without a
    word; here the limit is only checked on the server, which refuses longer
    text with a message and gives back everything that was typed.
    """

    widget = CountedTextarea

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # validate() says it in the customer's words, with the numbers grouped as the counter shows them.
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value: Any) -> str | None:
        # Browsers send line breaks as CR LF but count them as one character, as does the counter.
        text: str | None = super().to_python(value)
        return text.replace("\r\n", "\n") if text else text

    def validate(self, value: Any) -> None:
        super().validate(value)
        if self.max_length is not None and len(value) > self.max_length:
            over = len(value) - self.max_length
            raise ValidationError(
                ngettext(
                    "This is %(over)s character too long: please shorten it to %(limit)s characters or fewer. "
                    "Everything you wrote is still here.",
                    "This is %(over)s characters too long: please shorten it to %(limit)s characters or fewer. "
                    "Everything you wrote is still here.",
                    over,
                ),
                code="max_length",
                params={
                    "limit": number_format(self.max_length, force_grouping=True),
                    "over": number_format(over, force_grouping=True),
                },
            )

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs: dict[str, Any] = super().widget_attrs(widget)
        limit = attrs.pop("maxlength", None)
        if limit is not None:
            attrs["data-max-chars"] = limit
        return attrs


class ChoiceForm(forms.Form):
    """One switch: on or off."""

    allowed = forms.TypedChoiceField(choices=[("true", _("On")), ("false", _("Off"))], coerce=lambda v: v == "true")


class PurposeChoiceForm(ChoiceForm):
    # The notice version the customer had in front of them when they chose.
    notice_version = forms.IntegerField(min_value=1)


class HumanReviewForm(forms.Form):
    statement = LongTextField(
        label=_("What would you like a person to look at?"),
        help_text=_("Tell us what happened and what you think is wrong. A member of our team will read it."),
        widget=CountedTextarea(attrs={"rows": 6}),
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
        label=_("What is wrong with it?"), choices=AIOutputFlag.Reason.choices, widget=forms.RadioSelect
    )
    comment = LongTextField(
        label=_("Anything you would like to add (optional)"),
        required=False,
        max_length=2000,
        widget=CountedTextarea(attrs={"rows": 4}),
    )


# The phrase a customer types to confirm an erasure, in the language the form
# is shown in: a German customer types "meine Daten löschen". Translated as
# a phrase of its own, so the label, the error and the check all use the same words.
ERASURE_CONFIRMATION_PHRASE = gettext_noop("erase my data")


def _phrase_in(language: str) -> str:
    with translation.override(language):
        return gettext(ERASURE_CONFIRMATION_PHRASE)


def _typed(text: str) -> str:
    # Case and spacing do not matter: "Meine  Daten löschen" is the phrase.
    return " ".join(text.casefold().split())


class ErasureConfirmForm(forms.Form):
    """The customer types the phrase of the language the form was shown in.

    The form says in which (a hidden field), so a customer who switches the
    language between reading and sending is still asked for the phrase they
    read; the phrase of another language is refused, as any other text is.
    """

    # No colon after the label: it ends in the phrase, or in German after it ("… ein").
    confirmation = forms.CharField(
        max_length=50, label_suffix="", widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    # Not a choice: a language we do not offer is no error to show, just ignored.
    shown_in = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shown_in"].initial = translation.get_language() or settings.LANGUAGE_CODE
        self.fields["confirmation"].label = gettext("To confirm, type “%(phrase)s”") % {
            "phrase": _phrase_in(self._language())
        }

    def _language(self) -> str:
        """The language the form was shown in: the one it says, else the active one."""
        said = self.data.get("shown_in") if self.is_bound else None
        if said in {code for code, _name in settings.LANGUAGES}:
            return str(said)
        return translation.get_language() or settings.LANGUAGE_CODE

    def clean_confirmation(self) -> str:
        phrase = _phrase_in(self._language())
        typed = _typed(self.cleaned_data["confirmation"])
        if typed != _typed(phrase):
            raise forms.ValidationError(gettext("Type exactly “%(phrase)s” to confirm.") % {"phrase": phrase})
        return typed
