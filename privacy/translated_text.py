"""Texts staff write, in the customer's language, or in English with a note saying so.

Each such text has a field per language (privacy/translation.py). A customer
reading German gets `description_de`; while staff have not written it, they
get the English text, marked `lang="en"` (screen readers switch voice) and
followed by "(not yet translated)", rather than a silent mix of languages.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Model, QuerySet, TextField, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django_stubs_ext import StrOrPromise
from modeltranslation.manager import MultilingualQuerySet, get_translatable_fields_for_model
from modeltranslation.utils import build_localized_fieldname


@dataclass(frozen=True)
class TextInLanguage:
    text: str
    # The language the text is written in: the one asked for, or English.
    language: str
    # False when the asked-for language had no text and English stands in.
    translated: bool


def _stored(obj: Model, field: str, language: str) -> str:
    value = getattr(obj, build_localized_fieldname(field, language), None)
    return value.strip() if isinstance(value, str) else ""


def text_in_language(obj: Model, field: str, language: str | None = None) -> TextInLanguage:
    """`obj`'s `field` in `language` (the active one by default), or its English stand-in."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if text := _stored(obj, field, language):
        return TextInLanguage(text, language, True)
    english = settings.LANGUAGE_CODE
    return TextInLanguage(_stored(obj, field, english), english, language == english)


def text_html(obj: Model, field: str) -> SafeString:
    """The text as HTML for a page or an e-mail: the English stand-in is marked and noted."""
    shown = text_in_language(obj, field)
    if shown.translated or not shown.text:
        return format_html("{}", shown.text)
    return format_html(
        '<span lang="{}">{}</span> <span class="untranslated">{}</span>',
        shown.language,
        shown.text,
        gettext("(not yet translated)"),
    )


def text_plain(obj: Model, field: str) -> str:
    """The text for a plain-text e-mail or an archive, with the same note."""
    shown = text_in_language(obj, field)
    if shown.translated or not shown.text:
        return shown.text
    return f"{shown.text} {gettext('(not yet translated)')}"


def written_in_every_language(field: str, english: str, translations: Mapping[str, str] | None) -> dict[str, Any]:
    """A text staff wrote, as its fields per language: `english`, and each of `translations`
    (by language code); a language without one is empty (None), so it reads as not yet translated."""
    texts = {**(translations or {}), settings.LANGUAGE_CODE: english}
    return {
        build_localized_fieldname(field, code): (texts.get(code) or "").strip() or None
        for code, _name in settings.LANGUAGES
    }


def in_every_language(field: str, text: StrOrPromise) -> dict[str, str]:
    """`{field_en: ..., field_es: ..., field_de: ...}`: a catalogued text as each language's catalogue has it.

    Fills the portal's own texts (the default purposes, the demo's AI systems)
    in every language offered. A language whose catalogue lacks the text gets
    an empty field, so pages say "(not yet translated)" rather than pass
    English off as a translation.
    """
    with translation.override(settings.LANGUAGE_CODE):
        english = str(text)
    fields = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            value = str(text)
        fields[build_localized_fieldname(field, code)] = (
            value if code == settings.LANGUAGE_CODE or value != english else ""
        )
    return fields


def _translated_fields(model: type[Model]) -> tuple[str, ...]:
    fields = get_translatable_fields_for_model(model)
    return tuple(fields or ())


def sql_lookups(queryset: "QuerySet[Any]", lookups: Sequence[str]) -> "QuerySet[Any]":
    """`queryset.values_list(*lookups)` whose SQL itself picks each staff text's language.

    For code that runs the SQL itself (the export's streaming reader):
    modeltranslation otherwise resolves the language after the query, in
    Python, and adds columns the SQL's reader does not expect. A text staff
    write reads the active language's field, or English where that is empty.
    """
    language = translation.get_language() or settings.LANGUAGE_CODE
    english = settings.LANGUAGE_CODE
    columns: list[str | Combinable] = []
    for lookup in lookups:
        *path, name = lookup.split("__")
        model = queryset.model
        for step in path:
            related = model._meta.get_field(step).related_model
            if not isinstance(related, type):
                break
            model = related
        if name not in _translated_fields(model):
            columns.append(lookup)
            continue
        prefix = "".join(f"{step}__" for step in path)
        columns.append(
            Coalesce(
                NullIf(F(prefix + build_localized_fieldname(name, language)), Value(""), output_field=TextField()),
                F(prefix + build_localized_fieldname(name, english)),
                output_field=TextField(),
            )
        )
    if isinstance(queryset, MultilingualQuerySet):
        queryset = queryset.rewrite(False)
    return queryset.values_list(*columns)
