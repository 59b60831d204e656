"""Webhook endpoints (their URLs checked like any other) and deliveries, with every attempt."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from privacy import services
from privacy.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from privacy.webhooks import ForbiddenAddress, check_endpoint_url


class WebhookEndpointForm(forms.ModelForm[WebhookEndpoint]):
    events = forms.MultipleChoiceField(choices=WebhookEndpoint.Event.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "events", "is_active")

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            check_endpoint_url(url)
        except ForbiddenAddress as refusal:
            raise forms.ValidationError(f"This address cannot be used: {refusal}.") from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    form = WebhookEndpointForm
    list_display = ("name", "url", "events", "is_active", "created_at")
    readonly_fields = ("secret", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> tuple[str, ...]:
        return self.readonly_fields if obj else ()

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: forms.ModelForm[WebhookEndpoint], change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        endpoint = services.webhook_endpoint_create(name=obj.name, url=obj.url, events=form.cleaned_data["events"])
        obj.__dict__.update(endpoint.__dict__)
        messages.info(request, "The signing secret is shown on the endpoint's page; give it to the receiver.")


class WebhookAttemptInline(admin.TabularInline[WebhookAttempt, WebhookDelivery]):
    model = WebhookAttempt
    extra = 0
    fields = ("attempted_at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ("id", "event", "endpoint", "status", "attempts", "created_at", "delivered_at")
    list_filter = ("status", "event", "endpoint")
    list_select_related = ("endpoint",)
    readonly_fields = ("endpoint", "event", "payload", "status", "attempts", "created_at", "delivered_at")
    inlines = [WebhookAttemptInline]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send again", permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        services.webhook_deliveries_resend(deliveries=queryset)
        messages.success(request, "Queued again.")
