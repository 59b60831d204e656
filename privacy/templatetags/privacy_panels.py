"""{% page_panels "place" %}: the panels other apps registered for a page (see privacy.panels)."""

from django import template

from privacy.panels import render_page_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def page_panels(context, place: str):
    return render_page_panels(place, request=context.get("request"))
