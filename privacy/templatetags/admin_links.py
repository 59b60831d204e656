"""{% readonly_contents field %}: a read-only admin value whose relation is linked only for a viewer who may open it.

Used by the project's copies of Django's admin/includes/fieldset.html and
admin/edit_inline/tabular.html in place of `{{ field.contents }}`; see
privacy/admin/links.py for why.
"""

from django import template
from django.contrib.admin.helpers import AdminReadonlyField
from django.utils.safestring import SafeString

from privacy.admin.links import ReadonlyFieldForViewer

register = template.Library()


@register.simple_tag(takes_context=True)
def readonly_contents(context: template.Context, field: AdminReadonlyField) -> SafeString:
    contents: SafeString = ReadonlyFieldForViewer(field, context.get("request")).contents()
    return contents
