"""Webhook endpoints (their URLs checked like any other) and deliveries, with every attempt."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from privacy import services
from privacy.admin.audited import AuditedAdmin, audited
from privacy.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from privacy.typing import signed_in
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
class WebhookEndpointAdmin(AuditedAdmin[WebhookEndpoint]):
    form = WebhookEndpointForm
    list_display = ("name", "url", "events", "is_active", "created_at")
    readonly_fields = ("secret", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> tuple[str, ...]:
        return self.readonly_fields if obj else ()

    def save_audited(
        self,
        request: HttpRequest,
        *,
        form: forms.ModelForm[WebhookEndpoint],
        formsets: Sequence[forms.BaseModelFormSet[Any, Any]],
        change: bool,
    ) -> WebhookEndpoint:
        data, staff_id = form.cleaned_data, signed_in(request).pk
        if change:
            return services.webhook_endpoint_update(
                endpoint=form.instance,
                name=data["name"],
                url=data["url"],
                events=data["events"],
                is_active=data["is_active"],
                actor_id=staff_id,
            )
        endpoint = services.webhook_endpoint_create(
            name=data["name"], url=data["url"], events=data["events"], is_active=data["is_active"], actor_id=staff_id
        )
        messages.info(request, "The signing secret is shown on the endpoint's page; give it to the receiver.")
        return endpoint

    def delete_audited(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        services.webhook_endpoint_delete(endpoint=obj, actor_id=signed_in(request).pk)


class WebhookAttemptInline(admin.TabularInline[WebhookAttempt, WebhookDelivery]):
    model = WebhookAttempt
    extra = 0
    fields = ("attempted_at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AuditedAdmin[WebhookDelivery]):
    list_display = ("id", "event", "endpoint", "status", "attempts", "created_at", "delivered_at")
    list_filter = ("status", "event", "endpoint")
    list_select_related = ("endpoint",)
    readonly_fields = ("endpoint", "event", "payload", "status", "attempts", "created_at", "delivered_at")
    inlines = [WebhookAttemptInline]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @audited
    @admin.action(description="Send again", permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        services.webhook_deliveries_resend(deliveries=queryset, actor_id=signed_in(request).pk)
        messages.success(request, "Queued again.")
