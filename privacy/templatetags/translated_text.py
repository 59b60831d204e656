"""{% translated purpose "description" %}: a text staff write, in the reader's language or noted as English."""

from django import template
from django.db.models import Model
from django.utils.safestring import SafeString

from privacy import translated_text

register = template.Library()


@register.simple_tag
def translated(obj: Model, field: str) -> SafeString:
    return translated_text.text_html(obj, field)


@register.simple_tag
def translated_plain(obj: Model, field: str) -> str:
    """For plain-text e-mails (autoescape off there)."""
    return translated_text.text_plain(obj, field)
