"""API clients of the business's systems: tokens shown once, every change audited."""

from django import forms
from django.contrib import admin, messages

from privacy import services
from privacy.models import APIClient


class APIClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=APIClient.Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = APIClient
        fields = ("name", "scopes", "is_active")


@admin.register(APIClient)
class APIClientAdmin(admin.ModelAdmin):
    form = APIClientForm
    list_display = ("name", "token_prefix", "scopes", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    readonly_fields = ("token_prefix", "created_at", "last_used_at")
    actions = ["rotate_tokens"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            services.api_client_update(client=obj, actor_id=request.user.pk, changed=form.changed_data)
            return None
        client, token = services.api_client_create(
            name=obj.name, scopes=form.cleaned_data["scopes"], actor_id=request.user.pk
        )
        obj.pk = client.pk
        obj.__dict__.update(client.__dict__)
        messages.warning(request, f"The token for {client.name} is {token} — copy it now, it is not shown again.")

    @admin.action(description="Issue new tokens (the old ones stop working)", permissions=["change"])
    def rotate_tokens(self, request, queryset):
        for client in queryset:
            token = services.api_client_rotate_token(client=client, actor_id=request.user.pk)
            messages.warning(request, f"New token for {client.name}: {token} — copy it now, it is not shown again.")
