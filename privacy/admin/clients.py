"""API clients of the business's systems: tokens shown once, every change audited."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from privacy import services
from privacy.models import APIClient
from privacy.typing import signed_in


class APIClientForm(forms.ModelForm[APIClient]):
    scopes = forms.MultipleChoiceField(choices=APIClient.Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = APIClient
        fields = ("name", "scopes", "is_active")


@admin.register(APIClient)
class APIClientAdmin(admin.ModelAdmin[APIClient]):
    form = APIClientForm
    list_display = ("name", "token_prefix", "scopes", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    readonly_fields = ("token_prefix", "created_at", "last_used_at")
    actions = ["rotate_tokens"]

    def save_model(self, request: HttpRequest, obj: APIClient, form: forms.ModelForm[APIClient], change: bool) -> None:
        staff_id = signed_in(request).pk
        if change:
            super().save_model(request, obj, form, change)
            services.api_client_update(client=obj, actor_id=staff_id, changed=form.changed_data)
            return
        client, token = services.api_client_create(name=obj.name, scopes=form.cleaned_data["scopes"], actor_id=staff_id)
        obj.pk = client.pk
        obj.__dict__.update(client.__dict__)
        messages.warning(request, f"The token for {client.name} is {token} — copy it now, it is not shown again.")

    @admin.action(description="Issue new tokens (the old ones stop working)", permissions=["change"])
    def rotate_tokens(self, request: HttpRequest, queryset: QuerySet[APIClient]) -> None:
        staff_id = signed_in(request).pk
        for client in queryset:
            token = services.api_client_rotate_token(client=client, actor_id=staff_id)
            messages.warning(request, f"New token for {client.name}: {token} — copy it now, it is not shown again.")
