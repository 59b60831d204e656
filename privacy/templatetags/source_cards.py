"""{% source_card_head view %}: the head of a source's card on "My data", rendered once per language and process.

A card's head (its name, badges, description, and why we hold it, for how
long and what erasure does) reads the same for every customer; rendering it
afresh for each of a dozen cards was a good part of the page's time. It is
rendered from a context of only what it is kept by, so nothing about one
customer can be kept and shown to another.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from privacy.kept import kept_per_language
from privacy.selectors.my_data import SourceView
from privacy.source_words import source_words

register = template.Library()


@register.simple_tag
def source_card_head(view: SourceView) -> SafeString:
    source, manage_url, any_ai = view.source, view.manage_url, view.any_ai
    context = {"source": source, "words": source_words(source), "manage_url": manage_url, "any_ai": any_ai}
    return kept_per_language(
        source,
        "card head",
        manage_url,
        any_ai,
        work_out=lambda: render_to_string("privacy/_source_card_head.html", context),
    )
