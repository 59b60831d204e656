"""The words a declared source is read in, worked out once per language and process.

A source's texts are gettext_lazy (each reads in the customer's language),
and every read of one translates it again: "My data" read each label, purpose
and field label once per cell, hundreds of translations a page, a fifth of its
time. The registry and the translation catalogues do not change while a
process runs, so each source's words are translated once per language and
kept here; "My data", its pages and the archives read them as plain strings.

Kept by privacy/kept.py, per source and language.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from privacy.kept import kept_per_language
from privacy.registry import PersonalField, Source
from privacy.taxonomy import CATEGORIES
from privacy.values import display_value


@dataclass(frozen=True)
class SourceWords:
    """A source's texts in one language, as plain strings."""

    label: str
    description: str
    purpose: str
    legal_basis: str
    retention: str
    # The recipients joined, or the words for nobody.
    recipients: str
    erasure: str
    # The categories of its fields, once each, joined.
    categories: str
    # Per field name: what the customer reads, what staff read, and its category.
    field_labels: dict[str, str]
    field_staff_labels: dict[str, str]
    field_categories: dict[str, str]


def source_words(source: Source) -> SourceWords:
    """The source's words in the active language."""
    return kept_per_language(source, "words", work_out=lambda: _words_of(source))


def _words_of(source: Source) -> SourceWords:
    return SourceWords(
        label=str(source.label),
        description=str(source.description),
        purpose=str(source.purpose),
        legal_basis=source.legal_basis.label,
        retention=str(source.retention),
        recipients=", ".join(map(str, source.recipients)) or gettext("Nobody outside our company"),
        erasure=source.erasure_description,
        categories=", ".join(dict.fromkeys(CATEGORIES[f.category].label for f in source.fields)),
        field_labels={f.name: source.field_label(f) for f in source.fields},
        field_staff_labels={f.name: source.field_staff_label(f) for f in source.fields},
        field_categories={f.name: CATEGORIES[f.category].label for f in source.fields},
    )


def few_values(source: Source, personal_field: PersonalField) -> dict[Any, str]:
    """What display_value shows for each of a column's few possible values
    (Yes/No, a choice's label, and none), asked once per value on an unsaved
    row holding just that value rather than once per cell; {} for a column
    whose values are not few. Worked out once per language and process: every
    archive and "My data" page asks for the same words."""
    return kept_per_language(
        source, "few values", personal_field.name, work_out=lambda: _words_of_few_values(source, personal_field)
    )


def _words_of_few_values(source: Source, personal_field: PersonalField) -> dict[Any, str]:
    model_field = source.model._meta.get_field(personal_field.name)
    if model_field.is_relation or personal_field.display is not None:
        return {}
    if getattr(model_field, "choices", None):
        values = [value for value, _ in getattr(model_field, "flatchoices", [])]
    elif model_field.get_internal_type() == "BooleanField":
        values = [True, False]
    else:
        return {}
    attname = getattr(model_field, "attname", personal_field.name)
    return {value: display_value(source.model(**{attname: value}), source, personal_field) for value in [*values, None]}
