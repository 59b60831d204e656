"""The monitoring attributes: the groups fairness is measured against.

Each is either attached by the business's systems (the API), volunteered by
the customer (the "Help us check our AI is fair" page), or both; a value the
customer gave wins over the business's. They are used for audits only: no
AI system, permission answer or client-facing endpoint ever receives them.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

BUSINESS = "business"
CUSTOMER = "customer"

# The group of customers who gave (or were given) no value: reported like any other.
NOT_GIVEN = ""
NOT_GIVEN_LABEL = _("Not given")

_OPEN_VALUE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Attribute:
    key: str
    label: StrOrPromise
    given_by: frozenset[str]
    # The values it takes, as (code, label); empty for codes the business
    # chooses (regions, languages), which must be short lower-case codes.
    values: tuple[tuple[str, StrOrPromise], ...] = ()
    # GDPR Art. 9 (health, ethnic origin, ...): only ever volunteered, on explicit consent.
    special_category: bool = False
    # Asked of the customer on the volunteering page.
    question: StrOrPromise = ""
    help_text: StrOrPromise = ""
    pattern: re.Pattern[str] = field(default=_OPEN_VALUE, compare=False)
    # For chart legends and narrow tables.
    short_label: StrOrPromise = ""
    # Words for codes the business commonly uses where it chooses the codes
    # (regions): shown in the reader's language, without limiting the codes.
    known_labels: tuple[tuple[str, StrOrPromise], ...] = ()

    @property
    def short(self) -> str:
        return str(self.short_label or self.label)

    def clean(self, raw: str) -> str:
        """The stored code for `raw`, or ValueError with a message a caller can act on."""
        value = str(raw).strip().lower()
        if self.values:
            if value not in dict(self.values):
                raise ValueError(f"must be one of: {', '.join(code for code, _label in self.values)}")
            return value
        if not self.pattern.match(value):
            raise ValueError("must be a short lower-case code, e.g. “north” or “de” (letters, digits, _ and -)")
        return value

    def value_label(self, value: str) -> str:
        if value == NOT_GIVEN:
            return str(NOT_GIVEN_LABEL)
        labels = dict(self.values or self.known_labels)
        if value in labels:
            return str(labels[value])
        if self.key == "language":
            try:
                return str(get_language_info(value)["name_translated"])
            except KeyError:
                return value.upper()
        return value.replace("_", " ").replace("-", " ").title()


AGE_BANDS = (
    ("under_25", _("Under 25")),
    ("25_34", _("25 to 34")),
    ("35_44", _("35 to 44")),
    ("45_54", _("45 to 54")),
    ("55_64", _("55 to 64")),
    ("65_plus", _("65 or over")),
)

ATTRIBUTES: dict[str, Attribute] = {
    attribute.key: attribute
    for attribute in (
        Attribute(
            "language", _("Preferred language"), frozenset({BUSINESS}), pattern=_LANGUAGE_TAG, short_label=_("Language")
        ),
        Attribute(
            "region",
            _("Region"),
            frozenset({BUSINESS}),
            known_labels=(("north", _("North")), ("south", _("South")), ("east", _("East")), ("west", _("West"))),
        ),
        Attribute(
            "age_band",
            _("Age band"),
            frozenset({BUSINESS, CUSTOMER}),
            values=AGE_BANDS,
            question=_("Which age band are you in?"),
        ),
        Attribute(
            "gender",
            _("Gender"),
            frozenset({CUSTOMER}),
            values=(
                ("woman", _("Woman")),
                ("man", _("Man")),
                ("non_binary", _("Non-binary")),
                ("self_described", _("In another way")),
            ),
            question=_("How do you describe your gender?"),
        ),
        Attribute(
            "disability",
            _("Disability or long-term health condition"),
            frozenset({CUSTOMER}),
            values=(("yes", _("Yes")), ("no", _("No"))),
            special_category=True,
            short_label=_("Disability"),
            question=_("Do you have a disability or a long-term health condition?"),
            help_text=_("Health data is special-category data: we hold it only with your explicit consent."),
        ),
    )
}

ATTRIBUTE_CHOICES = [(attribute.key, attribute.label) for attribute in ATTRIBUTES.values()]


def given_by(who: str) -> list[Attribute]:
    return [attribute for attribute in ATTRIBUTES.values() if who in attribute.given_by]


def group_label(attribute_keys: Iterable[str], values: Iterable[str]) -> str:
    """ "German · 35 to 44": a group of one attribute or of an intersection."""
    return " · ".join(ATTRIBUTES[key].value_label(value) for key, value in zip(attribute_keys, values, strict=True))
