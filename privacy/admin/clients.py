"""API clients of the business's systems: tokens shown once, every change audited."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from privacy import services
from privacy.admin.audited import AuditedAdmin, audited
from privacy.models import APIClient
from privacy.typing import signed_in


class APIClientForm(forms.ModelForm[APIClient]):
    scopes = forms.MultipleChoiceField(choices=APIClient.Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = APIClient
        fields = ("name", "scopes", "is_active")


@admin.register(APIClient)
class APIClientAdmin(AuditedAdmin[APIClient]):
    form = APIClientForm
    list_display = ("name", "token_prefix", "scopes", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    readonly_fields = ("token_prefix", "created_at", "last_used_at")
    actions = ["rotate_tokens"]

    def save_audited(
        self,
        request: HttpRequest,
        *,
        form: forms.ModelForm[APIClient],
        formsets: Sequence[forms.BaseModelFormSet[Any, Any]],
        change: bool,
    ) -> APIClient:
        staff_id = signed_in(request).pk
        data = form.cleaned_data
        if change:
            return services.api_client_update(
                client=form.instance,
                name=data["name"],
                scopes=data["scopes"],
                is_active=data["is_active"],
                actor_id=staff_id,
            )
        client, token = services.api_client_create(
            name=data["name"], scopes=data["scopes"], is_active=data["is_active"], actor_id=staff_id
        )
        messages.warning(request, f"The token for {client.name} is {token} — copy it now, it is not shown again.")
        return client

    def delete_audited(self, request: HttpRequest, obj: APIClient) -> None:
        services.api_client_delete(client=obj, actor_id=signed_in(request).pk)

    @audited
    @admin.action(description="Issue new tokens (the old ones stop working)", permissions=["change"])
    def rotate_tokens(self, request: HttpRequest, queryset: QuerySet[APIClient]) -> None:
        staff_id = signed_in(request).pk
        for client in queryset:
            token = services.api_client_rotate_token(client=client, actor_id=staff_id)
            messages.warning(request, f"New token for {client.name}: {token} — copy it now, it is not shown again.")
