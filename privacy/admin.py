from django import forms
from django.contrib import admin, messages

from privacy import selectors, services
from privacy.permission_cache import invalidate_all_customers
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.html import format_html, format_html_join

from privacy.models import (
    AIOutputFlag,
    AIPurpose,
    AIPurposeNotice,
    AuditEvent,
    AISystem,
    APIClient,
    GuidelinesAcknowledgement,
    HumanReviewRequest,
    OutboundEmail,
    PreferenceBreach,
    PrivacyRequest,
    StaffGuidelines,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from privacy.taxonomy import CATEGORIES


@admin.register(AISystem)
class AISystemAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "provider", "flag_count", "review_count", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "provider")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        # Counted in the list's one query: how customers judge each system.
        return super().get_queryset(request).annotate(
            _flags=Count("flags", distinct=True), _reviews=Count("humanreviewrequest", distinct=True)
        )

    @admin.display(description="Flags from customers", ordering="_flags")
    def flag_count(self, obj):
        return obj._flags

    @admin.display(description="Human reviews asked", ordering="_reviews")
    def review_count(self, obj):
        return obj._reviews

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


# --- AI purposes, preferences, reviews ------------------------------------


class AIPurposeNoticeInline(admin.TabularInline):
    model = AIPurposeNotice
    extra = 0
    fields = ("version", "published_at", "text")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AIPurpose)
class AIPurposeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "legal_basis", "gpc_applies", "notice_version", "is_active", "display_order")
    list_filter = ("legal_basis", "gpc_applies", "is_active")
    filter_horizontal = ("ai_systems",)
    readonly_fields = ("notice_version",)
    inlines = [AIPurposeNoticeInline]

    def get_readonly_fields(self, request, obj=None):
        # Changing the legal basis would silently switch AI on (or off) for
        # every customer who never chose: retire the purpose and add a new one.
        return ("notice_version", "slug", "legal_basis") if obj else ("notice_version",)

    def save_model(self, request, obj, form, change):
        # A changed notice is a new version; choices keep the version they were made under.
        new_text = form.cleaned_data["notice_text"]
        if change:
            obj.notice_text = AIPurpose.objects.get(pk=obj.pk).notice_text
        super().save_model(request, obj, form, change)
        services.purpose_update_notice(purpose=obj, text=new_text)
        # Legal basis, GPC or "active" may have changed: every cached answer is stale.
        invalidate_all_customers()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        invalidate_all_customers()


class HumanReviewAnswerForm(forms.ModelForm):
    """A person's structured answer: the outcome stands or is changed (to what), and a message."""

    result = forms.ChoiceField(
        label="Result", choices=HumanReviewRequest.Result.choices, widget=forms.RadioSelect, required=True
    )
    new_outcome = forms.ChoiceField(label="New outcome (when changed)", required=False, choices=[("", "—")])
    new_outcome_label = forms.CharField(
        label="New outcome, in the customer's words (when changed)", required=False, max_length=200,
        help_text="E.g. “Refund approved”: the customer reads it as the decision's new outcome.",
    )
    answer = forms.CharField(
        label="Message to the customer", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
        help_text="What a person found, in plain words. The customer reads it in the portal.",
    )

    class Meta:
        model = HumanReviewRequest
        fields = ("result", "new_outcome", "new_outcome_label", "answer")

    def __init__(self, *args, outcome_choices=(), staff_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff_user = staff_user
        if outcome_choices:
            self.fields["new_outcome"].choices = [("", "—"), *outcome_choices]
        else:
            # Nothing to change to: the subject is not an outcome (a conversation, say).
            del self.fields["new_outcome"], self.fields["new_outcome_label"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") == HumanReviewRequest.Result.CHANGED and "new_outcome" in self.fields:
            if not cleaned.get("new_outcome"):
                self.add_error("new_outcome", "Say what the outcome becomes.")
            if not cleaned.get("new_outcome_label", "").strip():
                self.add_error("new_outcome_label", "Say it in the customer's words, e.g. “Refund approved”.")
        # Refused here, not after saving: what was typed stays in the form.
        if self.staff_user is not None:
            try:
                services.require_acknowledged_guidelines(self.staff_user)
            except services.GuidelinesNotAcknowledged as refusal:
                url = reverse("admin:privacy_guidelines_acknowledge") + "?" + urlencode({"next": self.staff_path})
                raise forms.ValidationError(format_html('{} <a href="{}">Read them now</a> (your answer is kept here).',
                                                        str(refusal), url)) from None
        return cleaned


@admin.register(HumanReviewRequest)
class HumanReviewRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "ai_system", "contests_outcome", "status", "result", "created_at", "due_at")
    date_hierarchy = "created_at"
    list_filter = ("status", "result", "ai_system", "contests_outcome")
    list_select_related = ("user", "ai_system")
    search_fields = ("user__email",)
    form = HumanReviewAnswerForm
    readonly_fields = ("user", "ai_system", "subject_summary", "statement", "contests_outcome", "status",
                       "created_at", "due_at", "answered_at", "answered_by")
    answered_fields = ("result", "new_outcome_label", "answer")

    actions = ["start_review"]

    def has_add_permission(self, request):
        return False

    def get_fieldsets(self, request, obj=None):
        asked = ("user", "ai_system", "subject_summary", "statement", "contests_outcome", "status", "created_at",
                 "due_at")
        if obj is not None and obj.status == HumanReviewRequest.Status.ANSWERED:
            answer = (*self.answered_fields, "answered_at", "answered_by")
        else:
            answer = [name for name in ("result", "new_outcome", "new_outcome_label", "answer")
                      if name in self._outcome_fields(obj)]
        return [("What the customer asked", {"fields": asked}), ("The answer", {"fields": answer})]

    def _outcome_fields(self, obj) -> set[str]:
        source = selectors.human_review_subject_source(obj) if obj is not None else None
        base = {"result", "answer"}
        return base | {"new_outcome", "new_outcome_label"} if source and source.review_outcomes else base

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == HumanReviewRequest.Status.ANSWERED:
            return (*self.readonly_fields, *self.answered_fields)  # the customer already has it
        return self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        source = selectors.human_review_subject_source(obj) if obj is not None else None
        choices = source.review_outcomes.choices if source and source.review_outcomes else ()
        form = super().get_form(request, obj, change=change, **kwargs)

        class AnswerForm(form):
            staff_path = request.get_full_path()

            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, outcome_choices=choices, staff_user=request.user, **form_kwargs)

        return AnswerForm

    def change_view(self, request, object_id, form_url="", extra_context=None):
        review = self.get_object(request, object_id)
        if (request.method == "GET" and review is not None and review.status != HumanReviewRequest.Status.ANSWERED
                and not services.staff_acknowledged_current_guidelines(request.user)):
            # Said before anything is typed: answering needs the current guidelines acknowledged.
            url = reverse("admin:privacy_guidelines_acknowledge") + "?" + urlencode({"next": request.get_full_path()})
            messages.warning(request, format_html(
                'Before answering, read and acknowledge the current AI ethics and privacy guidelines. '
                '<a href="{}">Read them now</a>.', url))
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="About")
    def subject_summary(self, obj):
        subject = selectors.human_review_subject(review=obj)
        if subject is None:
            return "(no longer held)"
        cells = format_html_join(
            "", "<div><strong>{}:</strong> {}</div>", ((cell.label, cell.value) for cell in subject.row.cells)
        )
        return format_html("<p>{}</p>{}", subject.source.label, cells)

    @admin.action(description="Start reviewing (the customer sees it is being looked at)", permissions=["change"])
    def start_review(self, request, queryset):
        try:
            services.require_acknowledged_guidelines(request.user)
        except services.GuidelinesNotAcknowledged as refusal:
            messages.error(request, str(refusal))
            return
        started = sum(services.human_review_start(review=review, staff_user=request.user) for review in queryset)
        messages.success(request, f"{started} review(s) started.")

    def save_model(self, request, obj, form, change):
        if obj.status == HumanReviewRequest.Status.ANSWERED and not form.changed_data:
            return
        data = form.cleaned_data
        request.review_answer_reported = True  # our message replaces Django's "changed successfully"
        try:
            services.human_review_answer(
                review=HumanReviewRequest.objects.get(pk=obj.pk), answer=data["answer"], staff_user=request.user,
                result=data["result"], new_outcome=data.get("new_outcome", ""),
                new_outcome_label=data.get("new_outcome_label", ""),
            )
        except (ValueError, services.GuidelinesNotAcknowledged) as refusal:
            messages.error(request, str(refusal))
            return
        messages.success(request, "The answer is saved and the customer has been e-mailed.")

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "review_answer_reported", False) and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)


@admin.register(AIOutputFlag)
class AIOutputFlagAdmin(admin.ModelAdmin):
    list_display = ("id", "ai_system", "reason", "created_at")
    list_filter = ("ai_system", "reason")
    list_select_related = ("ai_system",)
    readonly_fields = ("user", "ai_system", "content_type", "object_id", "reason", "comment", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(PreferenceBreach)
class PreferenceBreachAdmin(admin.ModelAdmin):
    """AI use the business's systems reported against a customer's choice."""

    list_display = ("id", "purpose", "reason", "api_client", "content_type", "object_id", "detected_at")
    list_filter = ("purpose", "reason", "api_client")
    list_select_related = ("purpose", "api_client", "content_type")
    readonly_fields = ("user", "purpose", "reason", "api_client", "content_type", "object_id", "detected_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Webhooks --------------------------------------------------------------


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(choices=WebhookEndpoint.Event.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "events", "is_active")

    def clean_url(self):
        from django.conf import settings

        from privacy.webhooks import ForbiddenAddress, check_destination

        url = self.cleaned_data["url"]
        if settings.PRODUCTION and not url.startswith("https://"):
            raise forms.ValidationError("Webhooks carry customers' choices: use an https:// address.")
        try:
            check_destination(url, allow_private=settings.PORTAL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES)
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
        endpoint = services.webhook_endpoint_create(
            name=obj.name, url=obj.url, events=form.cleaned_data["events"]
        )
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


# --- The request desk ------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("week", "Due within 7 days")]

    def queryset(self, request, queryset):
        now = timezone.now()
        open_requests = queryset.filter(status__in=PrivacyRequest.OPEN_STATUSES)
        if self.value() == "overdue":
            return open_requests.filter(due_at__lt=now)
        if self.value() == "week":
            return open_requests.filter(due_at__gte=now, due_at__lte=now + timedelta(days=7))
        return queryset


def _for_each(request, queryset, act, done: str, refused=(services.IllegalTransition,)) -> None:
    """Run a service on each selected request, reporting each success or refusal."""
    for privacy_request in queryset:
        try:
            act(privacy_request)
            messages.success(request, f"{privacy_request}{done}")
        except refused as refusal:
            messages.error(request, f"{privacy_request}: {refusal}")


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "customer", "submitted_at", "due_at", "days_left", "assignee")
    list_filter = ("kind", "status", OverdueFilter)
    list_select_related = ("user", "assignee")
    search_fields = ("user__email", "subject_ref")
    date_hierarchy = "submitted_at"
    readonly_fields = [
        f.name for f in PrivacyRequest._meta.fields if f.name not in ("receipt_email", "subject_public_id")
    ]
    exclude = ("receipt_email", "subject_public_id")
    actions = ["approve", "deny", "extend", "retry", "assign_to_me"]
    change_form_template = "privacy/admin/privacyrequest_change_form.html"
    change_list_template = "privacy/admin/privacyrequest_change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("privacy.decide_privacyrequest")

    @admin.display(description="customer", ordering="user__email")
    def customer(self, obj):
        if obj.user is None or not obj.user.is_active and obj.user.email.endswith("@erased.invalid"):
            return f"erased · ref {obj.subject_ref[:10]}…"
        return obj.user.email

    @admin.display(description="days left", ordering="due_at")
    def days_left(self, obj):
        if not obj.is_open:
            return "—"
        now = timezone.now()
        if obj.due_at < now:
            return format_html('<strong class="overdue">{} days overdue</strong>', (now - obj.due_at).days)
        days = (obj.due_at - now).days
        return format_html('<span class="{}">{}</span>', "due-soon" if days <= 7 else "", days)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from privacy.selectors import audit_events_for

        privacy_request = self.get_object(request, object_id)
        timeline = audit_events_for(privacy_request) if privacy_request else []
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "timeline": timeline})

    def get_urls(self):
        from django.urls import path

        return [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="privacy_compliance_dashboard"),
            path("guidelines/acknowledge/", self.admin_site.admin_view(self.acknowledge_view),
                 name="privacy_guidelines_acknowledge"),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        from django.core.exceptions import PermissionDenied
        from django.template.response import TemplateResponse

        from privacy.selectors import compliance_dashboard

        if not request.user.has_perm("privacy.view_compliance_dashboard"):
            raise PermissionDenied
        return TemplateResponse(request, "privacy/admin/dashboard.html",
                                {**self.admin_site.each_context(request), "title": "Compliance dashboard",
                                 "figures": compliance_dashboard()})

    def acknowledge_view(self, request):
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse

        guidelines = services.current_guidelines()
        if request.method == "POST" and guidelines:
            services.guidelines_acknowledge(guidelines=guidelines, staff_user=request.user)
            messages.success(request, f"Thank you: version {guidelines.version} acknowledged.")
            from django.utils.http import url_has_allowed_host_and_scheme

            next_url = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = "admin:privacy_privacyrequest_changelist"
            return redirect(next_url)
        return TemplateResponse(request, "privacy/admin/acknowledge.html",
                                {**self.admin_site.each_context(request), "title": "AI ethics and privacy guidelines",
                                 "guidelines": guidelines,
                                 "acknowledged": services.staff_acknowledged_current_guidelines(request.user)})

    def _guarded(self, request) -> bool:
        """Deciding needs the current guidelines acknowledged; say so instead of acting."""
        from django.urls import reverse

        try:
            services.require_acknowledged_guidelines(request.user)
        except services.GuidelinesNotAcknowledged as refusal:
            url = reverse("admin:privacy_guidelines_acknowledge")
            messages.error(request, format_html('{} <a href="{}">Read them now</a>.', str(refusal), url))
            return False
        return True

    @admin.action(description="Approve", permissions=["decide"])
    def approve(self, request, queryset):
        if not self._guarded(request):
            return
        _for_each(request, queryset, lambda r: services.request_approve(request=r, staff_user=request.user),  " approved.")

    @admin.action(description="Deny, with a reason the customer reads", permissions=["decide"])
    def deny(self, request, queryset):
        from privacy.forms import DenyForm

        if not self._guarded(request):
            return None
        form = DenyForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            _for_each(request, queryset,
                      lambda r: services.request_deny(request=r, staff_user=request.user, reason=reason),
                      " denied; the customer is told why.")
            return None
        return self._action_form(request, queryset, form, "deny", "Deny with a reason")

    @admin.action(description="Extend the deadline (once, up to 60 days)", permissions=["decide"])
    def extend(self, request, queryset):
        from privacy.forms import ExtendForm

        if not self._guarded(request):
            return None
        form = ExtendForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            _for_each(request, queryset,
                      lambda r: services.request_extend(request=r, staff_user=request.user, **form.cleaned_data),
                      ": deadline moved; the customer is told why.", refused=(services.IllegalTransition, ValueError))
            return None
        return self._action_form(request, queryset, form, "extend", "Extend the deadline")

    @admin.action(description="Retry the failed job", permissions=["decide"])
    def retry(self, request, queryset):
        if not self._guarded(request):
            return
        _for_each(request, queryset, lambda r: services.request_retry(request=r, staff_user=request.user), " queued again.")

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        for privacy_request in queryset:
            services.request_assign(request=privacy_request, staff_user=request.user)
        messages.success(request, f"{queryset.count()} request(s) assigned to you.")

    def _action_form(self, request, queryset, form, action, title):
        from django.template.response import TemplateResponse

        return TemplateResponse(
            request,
            "privacy/admin/action_form.html",
            {**self.admin_site.each_context(request), "form": form, "requests": queryset, "title": title,
             "opts": self.model._meta, "action": action},
        )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail can be read, never changed (a trigger refuses it on PostgreSQL too)."""

    list_display = ("sequence", "created_at", "action", "actor_id", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "action")
    readonly_fields = ("sequence", "created_at", "action", "actor_id", "object_type", "object_id", "details",
                       "prev_hash", "hash")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GuidelinesAcknowledgementInline(admin.TabularInline):
    model = GuidelinesAcknowledgement
    extra = 0
    fields = ("user", "acknowledged_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StaffGuidelines)
class StaffGuidelinesAdmin(admin.ModelAdmin):
    """Each save publishes a new version; everyone must acknowledge it again."""

    list_display = ("version", "published_at", "published_by", "acknowledgement_count")
    fields = ("text",)
    inlines = [GuidelinesAcknowledgementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("published_by").annotate(_acks=Count("acknowledgements"))

    @admin.display(description="acknowledged by")
    def acknowledgement_count(self, obj):
        return obj._acks

    def has_change_permission(self, request, obj=None):
        return False  # a published version is never edited: publish a new one

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = services.guidelines_publish(text=form.cleaned_data["text"], staff_user=request.user)
        obj.__dict__.update(published.__dict__)
