"""{{ text|staff_markdown }}: staff-written Markdown shown as formatted, sanitised text (privacy/staff_text.py)."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from privacy import staff_text

register = template.Library()


@register.filter(is_safe=True)
def staff_markdown(text: Any) -> SafeString:
    return staff_text.staff_markdown(text)
