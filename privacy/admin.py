from django import forms
from django.contrib import admin, messages

from privacy import services
from privacy.models import AISystem, APIClient, OutboundEmail
from privacy.taxonomy import CATEGORIES


@admin.register(AISystem)
class AISystemAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "provider", "model_name", "last_bias_audit_on", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "provider")
    prepopulated_fields = {"slug": ("name",)}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["data_categories"].help_text = "A JSON list of: " + ", ".join(sorted(CATEGORIES))
        return form


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
            return super().save_model(request, obj, form, change)
        client, token = services.api_client_create(name=obj.name, scopes=form.cleaned_data["scopes"])
        obj.pk = client.pk
        obj.__dict__.update(client.__dict__)
        messages.warning(request, f"The token for {client.name} is {token} — copy it now, it is not shown again.")

    @admin.action(description="Issue new tokens (the old ones stop working)")
    def rotate_tokens(self, request, queryset):
        for client in queryset:
            token = services.api_client_rotate_token(client=client)
            messages.warning(request, f"New token for {client.name}: {token} — copy it now, it is not shown again.")


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Delivery status only: staff see that an e-mail went out, not what it said."""

    list_display = ("id", "template", "status", "attempts", "last_error", "created_at", "sent_at")
    list_filter = ("status", "template")
    fields = ("template", "status", "attempts", "last_error", "created_at", "sent_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
