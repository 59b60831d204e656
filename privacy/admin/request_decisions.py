"""Staff decisions on privacy requests: from the request's own page, or in bulk from the queue.

Each decision has its own URL and its own service call, and is offered only
where the state machine allows it: a button for a request that can take it,
and a bulk action that sets aside (and names) the selected requests that cannot.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from privacy import services
from privacy.admin.audited import audited
from privacy.admin.decision_forms import DenyForm, ExtendForm, ReasonForm
from privacy.admin.desk import DeskAdmin
from privacy.languages import customer_language, language_for_staff
from privacy.models import PrivacyRequest
from privacy.typing import Customer, signed_in

# What a decision does, given the request, the staff member and its validated form (None if it has none).
Act = Callable[[PrivacyRequest, Customer, Any], object]


@dataclass(frozen=True)
class Decision:
    """One thing staff can do to a request; `possible` says whether this request can take it now."""

    name: str
    label: str
    done: str
    possible: Callable[[PrivacyRequest], bool]
    act: Act
    form: type[forms.Form] | None = None
    permission: str = "decide"

    def make_form(self, data: Any = None, *, requests: Sequence[PrivacyRequest] = ()) -> forms.Form | None:
        """The decision's form, its fields prefixed with its name: one page holds several of them.

        A reason is asked in English and in the languages of the customers of `requests`.
        """
        if self.form is None:
            return None
        if issubclass(self.form, ReasonForm):
            languages = {customer_language(r.user) for r in requests if r.user is not None}
            return self.form(data, prefix=self.name, languages=languages)
        return self.form(data, prefix=self.name)

    def why_not(self, privacy_request: PrivacyRequest) -> str:
        """Why this request cannot take this decision, in staff words."""
        if self.name == "extend" and privacy_request.extended_at is not None:
            return "its deadline was extended once already"
        return privacy_request.staff_status.lower()


DECISIONS = {
    decision.name: decision
    for decision in (
        Decision(
            "approve",
            "Approve",
            "approved.",
            lambda r: r.can_be_approved,
            lambda r, staff, form: services.request_approve(request=r, staff_user=staff),
        ),
        Decision(
            "deny",
            "Deny",
            "denied; the customer is told why.",
            lambda r: r.can_be_denied,
            lambda r, staff, form: services.request_deny(
                request=r, staff_user=staff, reason=form.cleaned_data["reason"], translations=form.translations()
            ),
            form=DenyForm,
        ),
        Decision(
            "extend",
            "Extend the deadline",
            "deadline moved; the customer is told why.",
            lambda r: r.can_be_extended,
            lambda r, staff, form: services.request_extend(
                request=r,
                staff_user=staff,
                days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"],
                translations=form.translations(),
            ),
            form=ExtendForm,
        ),
        Decision(
            "retry",
            "Retry the failed job",
            "queued again.",
            lambda r: r.can_be_retried,
            lambda r, staff, form: services.request_retry(request=r, staff_user=staff),
        ),
        Decision(
            "assign",
            "Assign to me",
            "assigned to you.",
            lambda r: r.needs_staff,
            lambda r, staff, form: services.request_assign(request=r, staff_user=staff),
            permission="change",
        ),
    )
}
# A decision a customer will read about needs the current guidelines acknowledged first.
GUARDED = {"approve", "deny", "extend", "retry"}


class RequestDecisionsAdmin(DeskAdmin):
    actions = ["approve", "deny", "extend", "retry", "assign_to_me"]

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("privacy.decide_privacyrequest")

    def may(self, request: HttpRequest, decision: Decision) -> bool:
        if decision.permission == "decide":
            return self.has_decide_permission(request)
        return self.has_change_permission(request)

    def decisions_for(self, request: HttpRequest, privacy_request: PrivacyRequest) -> list[Decision]:
        """What this staff member can do to this request now: the buttons on its page."""
        mine = privacy_request.assignee_id == request.user.pk
        return [
            d
            for d in DECISIONS.values()
            if d.possible(privacy_request) and self.may(request, d) and not (d.name == "assign" and mine)
        ]

    def decision_urls(self) -> list[URLPattern]:
        return [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(self._decision_view(name)),
                name=f"privacy_privacyrequest_{name}",
            )
            for name in DECISIONS
        ]

    def _decision_view(self, name: str) -> Callable[..., HttpResponseBase]:
        @audited  # each decision is a service of the request's state machine, which records it
        def view(request: HttpRequest, object_id: str) -> HttpResponseBase:
            return self.decide(request, object_id, DECISIONS[name])

        return view

    def decide(self, request: HttpRequest, object_id: str, decision: Decision) -> HttpResponseBase:
        """POST: do it and return to the request's page. GET shows the decision's form on a page of its own."""
        if request.method not in ("GET", "POST") or (request.method == "GET" and decision.form is None):
            return HttpResponseNotAllowed(["POST"])
        if not self.may(request, decision):
            raise PermissionDenied
        privacy_request = self.get_object(request, unquote(object_id))
        if privacy_request is None:
            raise Http404
        page = reverse("admin:privacy_privacyrequest_change", args=(privacy_request.pk,))
        if decision.name in GUARDED and not self.guidelines_acknowledged(request, back=page):
            return redirect(page)
        form = decision.make_form(request.POST if request.method == "POST" else None, requests=[privacy_request])
        if form is not None and not form.is_valid():
            # Whatever was typed stays in the form, with the errors beside it.
            return self.decision_form_page(request, [privacy_request], form, decision, single=True)
        self.carry_out(request, [privacy_request], decision, form)
        return redirect(page)

    def carry_out(
        self, request: HttpRequest, requests: list[PrivacyRequest], decision: Decision, form: forms.Form | None
    ) -> None:
        staff_user = signed_in(request)
        for privacy_request in requests:
            try:
                decision.act(privacy_request, staff_user, form)
            except (services.IllegalTransition, ValueError) as refusal:
                messages.error(request, f"Not done: {refusal}.")
            else:
                messages.success(request, f"{privacy_request} {decision.done}")

    def decision_form_page(
        self,
        request: HttpRequest,
        requests: list[PrivacyRequest],
        form: forms.Form,
        decision: Decision,
        *,
        single: bool = False,
    ) -> HttpResponse:
        return TemplateResponse(
            request,
            "privacy/admin/action_form.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "requests": requests,
                # Staff write the reason in each customer's language too, where they can.
                "requests_and_languages": [(r, language_for_staff(r.user)) for r in requests],
                "title": f"{decision.label}: {requests[0]}" if single else decision.label,
                "opts": self.model._meta,
                "decision": decision,
                "action_url": (
                    reverse(f"admin:privacy_privacyrequest_{decision.name}", args=(requests[0].pk,)) if single else ""
                ),
                "back_url": reverse(
                    "admin:privacy_privacyrequest_change" if single else "admin:privacy_privacyrequest_changelist",
                    args=(requests[0].pk,) if single else (),
                ),
            },
        )

    # --- in bulk, from the queue ------------------------------------------------

    def bulk(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest], name: str) -> HttpResponse | None:
        """Set aside, with a message each, the selected requests this decision cannot apply to; decide the rest."""
        decision = DECISIONS[name]
        if name in GUARDED and not self.guidelines_acknowledged(request):
            return None
        possible, left_alone = [], []
        for privacy_request in queryset:
            if decision.possible(privacy_request):
                possible.append(privacy_request)
            else:
                left_alone.append(f"{privacy_request} ({decision.why_not(privacy_request)})")
        if left_alone:
            # One message for all of them: selecting the whole queue must not bury the page in banners.
            shown = "; ".join(left_alone[:10]) + (f"; and {len(left_alone) - 10} more" if len(left_alone) > 10 else "")
            messages.warning(request, f"Left alone, as “{decision.label.lower()}” does not apply to them: {shown}.")
        if not possible:
            return None
        # The reason is asked only for requests it can apply to, and only once.
        form = decision.make_form(request.POST if f"{name}-reason" in request.POST else None, requests=possible)
        if form is not None and not form.is_valid():
            return self.decision_form_page(request, possible, form, decision)
        self.carry_out(request, possible, decision, form)
        return None

    @audited
    @admin.action(description="Approve", permissions=["decide"])
    def approve(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> HttpResponse | None:
        return self.bulk(request, queryset, "approve")

    @audited
    @admin.action(description="Deny, with a reason the customer reads", permissions=["decide"])
    def deny(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> HttpResponse | None:
        return self.bulk(request, queryset, "deny")

    @audited
    @admin.action(description="Extend the deadline (once, up to 60 days)", permissions=["decide"])
    def extend(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> HttpResponse | None:
        return self.bulk(request, queryset, "extend")

    @audited
    @admin.action(description="Retry the failed job", permissions=["decide"])
    def retry(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> HttpResponse | None:
        return self.bulk(request, queryset, "retry")

    @audited
    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[PrivacyRequest]) -> HttpResponse | None:
        return self.bulk(request, queryset, "assign")
