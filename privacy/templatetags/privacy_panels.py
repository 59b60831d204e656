"""{% page_panels "place" %}: the panels other apps registered for a page (see privacy.panels)."""

from django import template
from django.template import Context
from django.utils.safestring import SafeString

from privacy.panels import render_page_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def page_panels(context: Context, place: str) -> SafeString:
    return render_page_panels(place, request=context.get("request"))
