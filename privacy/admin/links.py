"""Links to admin pages only for staff who may open them: no dead links on the staff desk.

Django's admin links a read-only relation (a review's customer, a guidelines
acknowledgement's staff member) to the related row's page whether or not the
viewer may see it, so a support agent met links that only answered "403".
`admin_url` is the one rule: a row's page is linked when its model has an
admin the viewer holds the view (or change) permission for. The read-only
values of every change form and inline go through it too (see
`ReadonlyFieldForViewer`, used by templates/admin/includes/fieldset.html and
templates/admin/edit_inline/tabular.html).
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.helpers import AdminReadonlyField
from django.contrib.admin.sites import AdminSite
from django.contrib.admin.utils import quote
from django.db.models import Model
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString


def admin_url(request: HttpRequest, model: type[Model], pk: Any, *, site: AdminSite | None = None) -> str | None:
    """The admin page of the row `model` #`pk`, or None when the viewer may not open it."""
    site = site or admin.site
    if pk is None or not site.is_registered(model):
        return None
    if not site.get_model_admin(model).has_view_permission(request):
        return None
    try:
        return reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[quote(pk)], current_app=site.name
        )
    except NoReverseMatch:
        return None


def admin_link(
    request: HttpRequest, model: type[Model], pk: Any, text: object, *, site: AdminSite | None = None
) -> SafeString:
    """`text`, linked to the row's admin page when the viewer may open it, plain otherwise."""
    url = admin_url(request, model, pk, site=site)
    return format_html('<a href="{}">{}</a>', url, text) if url else format_html("{}", text)


class ReadonlyFieldForViewer(AdminReadonlyField):
    """A read-only value of an admin form, its relation linked only for a viewer who may open it."""

    def __init__(self, shown: AdminReadonlyField, request: HttpRequest | None) -> None:
        super().__init__(shown.form, shown.field["field"], shown.is_first, model_admin=shown.model_admin)
        self.request = request

    def get_admin_url(self, remote_field: Any, remote_obj: Model) -> str:
        if self.request is None:
            return str(remote_obj)
        site = self.model_admin.admin_site if self.model_admin is not None else None
        return admin_link(self.request, remote_field.model, remote_obj.pk, remote_obj, site=site)
