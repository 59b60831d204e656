"""Webhook endpoints (their URLs checked like any other) and deliveries, with every attempt."""

from django import forms
from django.contrib import admin, messages

from privacy import services
from privacy.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from privacy.webhooks import ForbiddenAddress, check_endpoint_url


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(choices=WebhookEndpoint.Event.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "events", "is_active")

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_endpoint_url(url)
        except ForbiddenAddress as refusal:
            raise forms.ValidationError(f"This address cannot be used: {refusal}.") from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "url", "events", "is_active", "created_at")
    readonly_fields = ("secret", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        endpoint = services.webhook_endpoint_create(name=obj.name, url=obj.url, events=form.cleaned_data["events"])
        obj.__dict__.update(endpoint.__dict__)
        messages.info(request, "The signing secret is shown on the endpoint's page; give it to the receiver.")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    fields = ("attempted_at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "endpoint", "status", "attempts", "created_at", "delivered_at")
    list_filter = ("status", "event", "endpoint")
    list_select_related = ("endpoint",)
    readonly_fields = ("endpoint", "event", "payload", "status", "attempts", "created_at", "delivered_at")
    inlines = [WebhookAttemptInline]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send again", permissions=["change"])
    def retry(self, request, queryset):
        services.webhook_deliveries_resend(deliveries=queryset)
        messages.success(request, "Queued again.")
