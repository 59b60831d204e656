"""The personal-data registry: which models hold whose personal data.

Every app declares the personal data it holds in its own `privacy.py`
(discovered at start-up, the way `admin.py` is). Export, the "My data" page
and erasure read only this registry, so none of them names another app's
model, and a system check (privacy.E001) fails start-up when a model that
references the user is neither declared nor exempted.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.expressions import Combinable
from django.utils import formats, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext_lazy
from django_stubs_ext import StrOrPromise

from privacy.taxonomy import CATEGORIES, GROUPS
from privacy.typing import Customer


class LegalBasis(StrEnum):
    """GDPR Art. 6(1) bases, with the words a customer reads."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    LEGITIMATE_INTERESTS = "legitimate_interests"

    @property
    def label(self) -> str:
        return {
            "consent": gettext("Your consent"),
            "contract": gettext("Needed to provide the service you signed up for"),
            "legal_obligation": gettext("Required by law"),
            "legitimate_interests": gettext("Our legitimate interests"),
        }[self.value]


class ErasureAction(StrEnum):
    DELETE = "delete"
    ANONYMIZE = "anonymize"
    RETAIN = "retain"


@dataclass(frozen=True)
class Erasure:
    """What erasing the data subject does to a source's rows."""

    action: ErasureAction
    # ANONYMIZE: field name -> replacement (a value or a query expression,
    # so erasure can run as one UPDATE per source).
    replacements: dict[str, object] = field(default_factory=dict)
    # RETAIN: the legal reason, shown to the customer before they ask
    # (gettext_lazy: read in the customer's language).
    reason: StrOrPromise = ""

    @classmethod
    def delete(cls) -> "Erasure":
        return cls(ErasureAction.DELETE)

    @classmethod
    def anonymize(cls, **replacements: object) -> "Erasure":
        return cls(ErasureAction.ANONYMIZE, replacements=replacements)

    @classmethod
    def retain(cls, reason: StrOrPromise) -> "Erasure":
        return cls(ErasureAction.RETAIN, reason=reason)

    @property
    def description(self) -> str:
        # In words only: the replacements name columns (password, is_active),
        # which mean nothing to a customer; Source.erasure_description names
        # the declared fields by their labels.
        if self.action == ErasureAction.DELETE:
            return gettext("Deleted")
        if self.action == ErasureAction.ANONYMIZE:
            return gettext("Anonymised: what identifies you is removed; the rest kept without you")
        return gettext("Kept: %(reason)s") % {"reason": self.reason}


@dataclass(frozen=True)
class PersonalField:
    """One field of a source that holds personal data."""

    name: str
    category: str
    label: StrOrPromise = ""  # defaults to the model field's verbose name; gettext_lazy, as every text below
    derived_by_ai: bool = False
    # For AI-derived fields: the row's field naming the AI system, and the
    # row's field holding the AI's confidence (0..1), when there is one.
    ai_system_field: str = ""
    confidence_field: str = ""
    # GDPR Art. 9 data (ethnic origin, health, ...): shown with a notice, and
    # held only on the customer's explicit consent.
    special_category: bool = False
    # How a person reads the field, when the generic formatting (Yes/No,
    # dates, choice labels) does not fit: called with the row, e.g. to turn a
    # list of reasons or a code into words.
    display: Callable[[Any], str] | None = None  # called with a row of the source's model


@dataclass(frozen=True)
class ReviewOutcomes:
    """Rows that are AI outcomes a person can uphold or change on review.

    A reviewer answering a customer's request for human review (GDPR Art.
    22(3)) of such a row says whether the outcome stands and, if changed, what
    it becomes; `record` writes that onto the row (in its app's own service).
    """

    # The outcomes a reviewer may set, as (value, label).
    choices: tuple[tuple[str, str], ...]
    # record(row, result, new_outcome, new_outcome_label), result "upheld" or "changed".
    record: Callable[[Any, str, str, str], None]


@dataclass(frozen=True)
class InForce:
    """What applies to a customer whether or not a row of the source is stored.

    A customer who never touched a switch has no stored AI choices, yet the
    defaults decide what our AI does with their data: a page showing only the
    stored rows would say "nothing held" while the defaults are in force.
    """

    # Column headings of the table, and the rows under them (called with the
    # customer; a bounded number of queries, whatever their data volume).
    columns: tuple[StrOrPromise, ...]
    rows: Callable[[Any], list[tuple[str, ...]]]


@dataclass(frozen=True)
class Source:
    """A model holding personal data, and everything Art. 15 lets a customer know."""

    model: type[models.Model]
    # The lookup from a row to its data subject ("" when the row *is* the
    # user; "user"; "conversation__customer").
    subject_path: str
    # The words a customer reads (gettext_lazy, so each reads in the
    # customer's language); `slug` is the label's English form, for names
    # that must not change with the language (the export's file names).
    label: StrOrPromise
    description: StrOrPromise
    fields: tuple[PersonalField, ...]
    purpose: StrOrPromise
    legal_basis: LegalBasis
    retention: StrOrPromise
    recipients: tuple[StrOrPromise, ...]
    erasure: Erasure
    # Newest first on the "My data" page and in exports.
    ordering: tuple[str, ...] = ("-pk",)
    # Fields that hold secrets: listed so reviewers see they were considered;
    # never shown, exported or written anywhere else.
    secret_fields: tuple[str, ...] = ()
    # The row's field naming the AI system that touched it (empty: AI never
    # does). Rows with one get the page's AI notice and, where enabled, the
    # customer's "ask a person" and "flag" actions.
    row_ai_system_field: str = ""
    human_review: bool = False  # customers may ask a person to review such a row
    flaggable: bool = False  # customers may flag what the AI wrote as wrong or unfair
    # Called with the customer's rows (and the customer) just before erasure
    # deletes or anonymises them, for what lives outside the table (files in
    # storage, sessions in the session store). It must be safe to call twice.
    before_erasure: Callable[[Any, Any], None] | None = None  # (the rows, a QuerySet; the customer)
    # The "My data" group it is shown under (privacy.taxonomy.GROUPS); by
    # default the group of its first field's category.
    group: str = ""
    # URL names of the source's own pages, when it has richer ones than the
    # generic table: a list (no arguments) and one row (its pk).
    list_url_name: str = ""
    detail_url_name: str = ""
    # URL name of the page where the customer changes this data themselves.
    manage_url_name: str = ""
    # Set when a person reviewing a row may uphold or change its outcome.
    review_outcomes: ReviewOutcomes | None = None
    # The fields the "My data" overview shows, when a source has too many for
    # a readable table and a page of its own with the rest (list_url_name,
    # detail_url_name). Its own pages and exports always show every field.
    overview_fields: tuple[str, ...] = ()
    # The fields that say which row it is when it is shown as part of
    # another (a conversation's last messages on the page of a review of it):
    # who, when and what, without the rest. Every field when not given.
    excerpt_fields: tuple[str, ...] = ()
    # Only members of staff can have such data (their admin changes, the staff
    # guidelines they accepted): pages listing the kinds of data we hold or
    # might hold leave it out for customers (see `listed_for`).
    staff_only: bool = False
    # What is in force for the customer even with no stored row (the defaults
    # behind their AI choices); "My data" shows it in place of the rows.
    in_force: InForce | None = None
    # How a number of its rows reads ("212 messages"), for pages that count
    # them (the erasure preview): ngettext_lazy("%(count)s message",
    # "%(count)s messages", "count"); "12 entries" when not given.
    counted_as: StrOrPromise | None = None

    def listed_for(self, user: Customer, *, count: int) -> bool:
        """Whether a page listing kinds of data (My data, the export report, the
        erasure preview) lists this one for `user`, who holds `count` rows of it.

        A staff-only kind is listed for staff, and for whoever holds rows of it
        (a former member of staff: the data is still theirs to see); it is
        never listed as an empty kind to a customer, to whom it cannot apply.
        """
        return count > 0 or not self.staff_only or user.is_staff

    @property
    def excerpt(self) -> tuple[PersonalField, ...]:
        if not self.excerpt_fields:
            return self.fields
        return tuple(f for f in self.fields if f.name in self.excerpt_fields)

    @property
    def overview(self) -> tuple[PersonalField, ...]:
        if not self.overview_fields:
            return self.fields
        return tuple(f for f in self.fields if f.name in self.overview_fields)

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def group_key(self) -> str:
        """The group (privacy.taxonomy.GROUPS) it is shown under: its own, or its first field's category's."""
        return self.group or CATEGORIES[self.fields[0].category].group

    @property
    def derived_by_ai(self) -> bool:
        return any(f.derived_by_ai for f in self.fields)

    @property
    def special_category(self) -> bool:
        return any(f.special_category for f in self.fields)

    @property
    def slug(self) -> str:
        """The label as a slug in English ("messages-in-your-conversations"),
        whatever the active language: a name programs and links may rely on."""
        with translation.override(None):
            return slugify(str(self.label)) or slugify(self.key)

    def field_label(self, personal_field: PersonalField) -> str:
        if personal_field.label:
            return str(personal_field.label)
        return self.field_staff_label(personal_field)

    # Staff read the same rows on the desk (a review's subject, the audit
    # trail) in their own words: the models' names, not "Your conversations".

    @property
    def staff_label(self) -> str:
        return str(self.model._meta.verbose_name_plural).capitalize()

    def field_staff_label(self, personal_field: PersonalField) -> str:
        try:
            model_field = self.model._meta.get_field(personal_field.name)
        except FieldDoesNotExist:  # a property or a path through a relation
            return str(personal_field.label) or personal_field.name.replace("_", " ").capitalize()
        return str(getattr(model_field, "verbose_name", personal_field.name)).capitalize()

    def field_staff_value(self, row: models.Model, personal_field: PersonalField) -> str | None:
        """A choice's stored value in plain words ("unfavourable", "customer"): its label speaks to the customer."""
        try:
            model_field = self.model._meta.get_field(personal_field.name)
        except FieldDoesNotExist:
            return None
        if not getattr(model_field, "choices", None):
            return None
        value = getattr(row, personal_field.name)
        return "" if value in (None, "") else str(value).replace("_", " ")

    @property
    def replaced_on_erasure(self) -> list[str]:
        """The labels of the declared fields an anonymising erasure removes or replaces."""
        if self.erasure.action != ErasureAction.ANONYMIZE:
            return []
        return [self.field_label(f) for f in self.fields if f.name in self.erasure.replacements]

    @property
    def erasure_description(self) -> str:
        """What erasure does to this kind of data, naming what an anonymisation
        removes by the labels the customer reads elsewhere (secrets and
        columns that are not declared personal data, such as the password hash,
        are not named: they are no data the customer sees)."""
        replaced = self.replaced_on_erasure
        if not replaced:
            return self.erasure.description
        return gettext(
            "Anonymised: %(fields)s removed or replaced; the rest kept without anything that identifies you"
        ) % {"fields": ", ".join(replaced)}

    def count_in_words(self, count: int) -> str:
        """A number of its rows in words: "1 message", "1,212 messages"."""
        words = self.counted_as or ngettext_lazy("%(count)s entry", "%(count)s entries", "count")
        return words % {"count": _GroupedCount(count)}

    def rows_for(self, user: Customer) -> models.QuerySet[Any]:
        if user is None or user.pk is None:
            # Filtering on a missing user would match every row that has none.
            raise ValueError("rows of which customer?")
        if not self.subject_path:
            return self.model._default_manager.filter(pk=user.pk)
        return _rows_through(self.model, self.subject_path.split("__"), user)


class _GroupedCount(int):
    """A count that ngettext picks the plural form by, and that prints with the
    active language's thousands separator (1,212 or 1.212)."""

    def __str__(self) -> str:
        return formats.number_format(int(self), force_grouping=True)


def _rows_through(model: type[models.Model], path: list[str], user: Customer) -> models.QuerySet[Any]:
    """Rows reaching `user` along `path`, one nested IN (SELECT ...) per hop.

    The same rows as filter(a__b=user), but as "a_id IN (SELECT id FROM a
    WHERE b_id = ...)" rather than a join: the form a bulk DELETE or UPDATE of
    a big table (erasure) runs fastest with.
    """
    manager = model._default_manager
    if len(path) == 1:
        return manager.filter(**{path[0]: user})
    related = model._meta.get_field(path[0]).related_model
    if not isinstance(related, type):  # a relation to "self" is resolved to the class by now
        raise TypeError(f"{model._meta.label}.{path[0]} leads nowhere")
    return manager.filter(**{f"{path[0]}__in": _rows_through(related, path[1:], user).values("pk")})


@dataclass(frozen=True)
class Exemption:
    model: type[models.Model]
    reason: str


# A summary provider: given a user, returns (label, value) pairs an app wants
# shown above its data (e.g. interactions' "AI and you"). It must run a
# bounded number of queries, whatever the user's data volume.
SummaryProvider = Callable[[Any], list[tuple[StrOrPromise, object]]]


@dataclass(frozen=True)
class Summary:
    title: StrOrPromise
    provider: SummaryProvider


class PersonalDataRegistry:
    def __init__(self) -> None:
        self._sources: dict[type[models.Model], Source] = {}
        self._exemptions: dict[type[models.Model], Exemption] = {}
        self._summaries: list[Summary] = []

    def declare(self, source: Source) -> Source:
        if source.model in self._sources or source.model in self._exemptions:
            raise ValueError(f"{source.model._meta.label} is declared twice")
        self._sources[source.model] = source
        return source

    def exempt(self, model: type[models.Model], *, reason: str) -> None:
        if not reason.strip():
            raise ValueError(f"exempting {model._meta.label} needs a written reason")
        if model in self._sources or model in self._exemptions:
            raise ValueError(f"{model._meta.label} is declared twice")
        self._exemptions[model] = Exemption(model, reason)

    def summary(self, title: StrOrPromise, provider: SummaryProvider) -> None:
        self._summaries.append(Summary(title, provider))

    @property
    def sources(self) -> list[Source]:
        return list(self._sources.values())

    def sources_in_group_order(self) -> list[Source]:
        """Every source in the order "My data" shows them: by group
        (privacy.taxonomy.GROUPS), in declaration order within a group."""
        order = {key: position for position, key in enumerate(GROUPS)}
        return sorted(self._sources.values(), key=lambda source: order.get(source.group_key, len(order)))

    @property
    def exemptions(self) -> list[Exemption]:
        return list(self._exemptions.values())

    @property
    def summaries(self) -> list[Summary]:
        return list(self._summaries)

    def contact_addresses(self, user: Customer) -> set[str]:
        """Every e-mail address any app holds for the customer (fields of category
        user.contact.email), lower-cased: to find what was sent to them without their account."""
        addresses: set[str] = set()
        for source in self._sources.values():
            names = [f.name for f in source.fields if f.category == "user.contact.email"]
            if not names or source.model._meta.get_field(names[0]).get_internal_type() == "JSONField":
                continue
            for row in source.rows_for(user).values_list(*names):
                addresses.update(value.lower() for value in row if isinstance(value, str) and value)
        return addresses

    def parent_of(self, source: Source) -> tuple[str, Source] | None:
        """The declared source a row of `source` belongs to on its way to the
        customer (a message's conversation), with the field leading to it; None
        when its rows reach the customer directly."""
        hops = source.subject_path.split("__")
        if len(hops) < 2:
            return None
        parent = self._sources.get(source.model._meta.get_field(hops[0]).related_model)  # type: ignore[arg-type]
        return (hops[0], parent) if parent else None

    def source(self, key: str) -> Source:
        for source in self._sources.values():
            if source.key == key:
                return source
        raise KeyError(key)

    def covers(self, model: type[models.Model]) -> bool:
        return model in self._sources or model in self._exemptions

    def forget(self, models_: Iterable[type[models.Model]]) -> None:
        """Drop declarations (tests that declare throw-away models use this)."""
        for model in models_:
            self._sources.pop(model, None)
            self._exemptions.pop(model, None)


registry = PersonalDataRegistry()


def is_expression(value: object) -> bool:
    return isinstance(value, Combinable)


def autodiscover() -> None:
    autodiscover_modules("privacy", register_to=None)
