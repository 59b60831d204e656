"""Every write staff make in the admin leaves an event in the audit trail (privacy/admin/audited.py).

The walk at the top finds every way the registered admins let a member of
staff write (add, change, delete, bulk delete, inlines, actions, extra pages)
and fails for one that does not go through an audited service, so a new admin
cannot bypass the trail. The tests below drive each of privacy's write paths
through the real admin pages, signed in with MFA as staff are, and read the
event it left: its action, who, what, and details that hold IDs, codes and
field names, never personal data.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django import forms
from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.test import RequestFactory
from django.utils import timezone

from accounts.demo import DEMO_OFFICER_TOTP_SECRET, current_demo_totp_code
from accounts.models import User
from privacy import services
from privacy.admin.audited import AUDITED, AuditedAdmin
from privacy.models import (
    AIPreference,
    AIPurpose,
    AIPurposeNotice,
    AISystem,
    APIClient,
    AuditEvent,
    HumanReviewRequest,
    PreferenceBreach,
    StaffGuidelines,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from privacy.registry import registry
from privacy.roles import PRIVACY_OFFICER
from tests.conftest import PASSWORD, make_customer
from tests.factories import AISystemFactory, ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db

# --- The walk ------------------------------------------------------------------

# An admin's own pages: "<app>_<model>_<page>". Anything else it adds is an extra page.
STOCK_PAGES = ("changelist", "add", "history", "delete", "change")


def _editable(form_class: Any) -> bool:
    """Whether a form (or an inline's forms) has a field staff can type into."""
    return bool(form_class.base_fields)


def _routes_through_the_audited_hooks(model_admin: admin.ModelAdmin[Any], *hooks: str) -> bool:
    return isinstance(model_admin, AuditedAdmin) and all(
        getattr(type(model_admin), hook) is getattr(AuditedAdmin, hook) for hook in hooks
    )


def write_paths(model_admin: admin.ModelAdmin[Any], request) -> Iterator[tuple[str, bool]]:
    """(path, whether it goes through an audited service) for each way this admin lets a superuser write."""
    saves = _routes_through_the_audited_hooks(model_admin, "save_model", "save_related")
    deletes = _routes_through_the_audited_hooks(model_admin, "delete_model", "delete_queryset")
    # Only the generic service saves inlines; a model's own service knows nothing of them.
    saves_inlines = saves and _routes_through_the_audited_hooks(model_admin, "save_audited")
    if model_admin.has_add_permission(request):
        yield "add", saves
    if model_admin.has_change_permission(request) and _editable(model_admin.get_form(request, None, change=True)):
        yield "change", saves
    if model_admin.has_delete_permission(request):
        yield "delete", deletes
    for inline in model_admin.get_inline_instances(request):
        name = f"inline {inline.model._meta.label_lower}"
        if inline.has_add_permission(request, None):
            yield f"{name} add", saves_inlines
        if inline.has_change_permission(request, None) and _editable(inline.get_formset(request, None).form):
            yield f"{name} change", saves_inlines
        if inline.can_delete and inline.has_delete_permission(request, None):
            yield f"{name} delete", saves_inlines
    for name, action in model_admin.get_actions(request).items():
        assert action is not None
        if action.func is delete_selected:
            yield f"action {name}", deletes
        else:
            yield f"action {name}", getattr(action.func, AUDITED, False)
    opts = model_admin.opts
    stock = {f"{opts.app_label}_{opts.model_name}_{page}" for page in STOCK_PAGES}
    for pattern in model_admin.get_urls():
        if pattern.name is not None and pattern.name not in stock:
            yield f"page {pattern.name}", getattr(pattern.callback, AUDITED, False)


def test_every_write_path_of_every_admin_goes_through_an_audited_service(db):
    superuser = make_customer("root@example.com", is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    found, bypassing = set(), []
    for model, model_admin in admin.site._registry.items():
        for path, audited in write_paths(model_admin, request):
            found.add((model._meta.label_lower, path))
            if not audited:
                bypassing.append(f"{model._meta.label_lower} ({type(model_admin).__qualname__}): {path}")
    assert not bypassing, "admin write paths that bypass the audit trail:\n" + "\n".join(sorted(bypassing))
    # The walk saw real paths, the request desk's decisions among them.
    assert ("privacy.privacyrequest", "page privacy_privacyrequest_deny") in found
    assert ("privacy.privacyrequest", "action deny") in found
    assert ("accounts.user", "action delete_selected") in found and ("privacy.aipurpose", "change") in found
    assert ("accounts.user", "page auth_user_password_change") in found


def test_the_walk_catches_a_stock_admin_and_an_inline_a_models_own_service_would_drop(db):
    superuser = make_customer("root@example.com", is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser

    class WritableNotices(admin.TabularInline[AIPurposeNotice, AIPurpose]):
        model = AIPurposeNotice

    class StockAdmin(admin.ModelAdmin[AIPurpose]):
        inlines = [WritableNotices]

    class OwnServiceAdmin(AuditedAdmin[AIPurpose]):
        inlines = [WritableNotices]

        def save_audited(self, request, *, form, formsets, change):
            return form.save()

    stock = dict(write_paths(StockAdmin(AIPurpose, admin.site), request))
    assert not any(stock.values())
    assert {"add", "change", "delete", "action delete_selected", "inline privacy.aipurposenotice add"} <= set(stock)
    own = dict(write_paths(OwnServiceAdmin(AIPurpose, admin.site), request))
    assert own["add"] and own["delete"] and not own["inline privacy.aipurposenotice change"]


# --- Helpers for the tests of each path (also used by accounts' and interactions') -----


def staff_with_mfa(client, email: str = "officer@example.com", *, role: str | None = PRIVACY_OFFICER, **flags) -> User:
    """A member of staff signed in with their second factor, as staff open the admin."""
    staff = make_customer(email, "Olive Officer", is_staff=True, **flags)
    if role:
        staff.groups.add(Group.objects.get(name=role))
    TOTP.activate(staff, DEMO_OFFICER_TOTP_SECRET)
    client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": current_demo_totp_code()})
    assert client.get("/admin/").status_code == 200
    return staff


def superuser_with_mfa(client) -> User:
    """Deleting is no role's work: only a superuser may."""
    return staff_with_mfa(client, "root@example.com", role=None, is_superuser=True)


def page_data(response, **changes: Any) -> dict[str, Any]:
    """What a browser sends back for the admin form in `response`, with `changes` (None: leave the field out)."""
    assert response.status_code == 200, response.status_code
    bound_forms: list[forms.BaseForm] = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        bound_forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, Any] = {}
    for form in bound_forms:
        for field in form:
            if field.field.disabled:
                continue
            value = field.value()
            if field.field.show_hidden_initial:  # a field with a callable default says what it showed
                data[field.html_initial_name] = field.field.hidden_widget().format_value(value)
            widget = field.field.widget
            if isinstance(widget, forms.CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(widget, forms.MultiWidget):  # a date and a time, say
                names: list[str] = getattr(widget, "widgets_names")  # noqa: B009 - not in the type stubs
                for suffix, part, subwidget in zip(names, widget.decompress(value) or [], widget.widgets, strict=True):
                    data[field.html_name + suffix] = subwidget.format_value(part) or ""
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(item) for item in value]
            elif value is not None:
                data[field.html_name] = str(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def only_event(action: str) -> AuditEvent:
    (event,) = AuditEvent.objects.filter(action=action)
    return event


def assert_no_personal_data(event: AuditEvent, *personal: str) -> None:
    """The event says who, what and which fields: never an address, a name or what anyone wrote."""
    stored = json.dumps([event.action, event.object_type, event.object_id, event.details])
    assert "@" not in stored, stored
    for text in personal:
        assert text not in stored, f"{text!r} in {stored}"


def added_pk(response, model) -> str:
    """The row an add page saved, from Django's own history entry of it."""
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    entry = LogEntry.objects.get(action_flag=ADDITION, content_type=ContentType.objects.get_for_model(model))
    return str(entry.object_id)


# --- AI systems ------------------------------------------------------------------


def test_staff_add_an_ai_system_and_the_trail_records_it(client):
    officer = staff_with_mfa(client)
    form = client.get("/admin/privacy/aisystem/add/")
    data = page_data(
        form,
        name_en="Returns assistant",
        slug="returns-assistant",
        provider="In-house",
        description_en="Answers questions about returns.",
        contact="ai-team@example.com",
    )
    pk = added_pk(client.post("/admin/privacy/aisystem/add/", data), AISystem)
    event = only_event("ai_system.created")
    assert (event.actor_id, event.object_type, event.object_id) == (officer.pk, "privacy.aisystem", pk)
    assert event.details["model"] == "privacy.aisystem"
    assert {"name_en", "slug", "provider", "description_en", "contact"} <= set(event.details["fields"])
    assert_no_personal_data(event, "Returns assistant", "Answers questions")


def test_staff_change_an_ai_system_and_the_trail_names_the_fields(client):
    officer = staff_with_mfa(client)
    system = AISystemFactory.create()
    url = f"/admin/privacy/aisystem/{system.pk}/change/"
    response = client.post(url, page_data(client.get(url), description_en="Now also answers about refunds."))
    assert response.status_code == 302
    event = only_event("ai_system.changed")
    assert (event.actor_id, event.object_type, event.object_id) == (officer.pk, "privacy.aisystem", str(system.pk))
    assert event.details == {"model": "privacy.aisystem", "fields": ["description_en"]}
    system.refresh_from_db()
    assert system.description == "Now also answers about refunds."


def test_saving_an_ai_system_unchanged_writes_and_records_nothing(client):
    staff_with_mfa(client)
    system = AISystemFactory.create()
    url = f"/admin/privacy/aisystem/{system.pk}/change/"
    updated_at = system.updated_at
    assert client.post(url, page_data(client.get(url))).status_code == 302
    assert not AuditEvent.objects.filter(object_type="privacy.aisystem").exists()
    system.refresh_from_db()
    assert system.updated_at == updated_at


# --- AI purposes ---------------------------------------------------------------


def test_staff_add_an_ai_purpose_and_its_first_notice_is_published_and_recorded(client):
    officer = staff_with_mfa(client)
    system = AISystemFactory.create()
    data = page_data(
        client.get("/admin/privacy/aipurpose/add/"),
        slug="voice-analysis",
        name_en="Voice analysis",
        description_en="Hears how a call went.",
        data_used_en="Recordings of calls.",
        legal_basis="consent",
        notice_text_en="We analyse the tone of calls.",
        notice_text_de="Wir werten den Ton von Anrufen aus.",
        ai_systems=[str(system.pk)],
    )
    pk = added_pk(client.post("/admin/privacy/aipurpose/add/", data), AIPurpose)
    purpose = AIPurpose.objects.get(pk=pk)
    assert list(purpose.notices.values_list("version", "text_en", "text_de")) == [
        (1, "We analyse the tone of calls.", "Wir werten den Ton von Anrufen aus.")
    ]
    assert list(purpose.ai_systems.all()) == [system]
    event = only_event("ai_purpose.created")
    assert (event.actor_id, event.object_type, event.object_id) == (officer.pk, "privacy.aipurpose", pk)
    assert event.details["notice_version"] == 1
    assert {"slug", "legal_basis", "notice_text_en", "notice_text_de", "ai_systems"} <= set(event.details["fields"])
    assert_no_personal_data(event, "tone of calls")


def test_staff_change_an_ai_purpose_its_notice_gets_a_new_version_and_the_permission_api_sees_it(
    client, django_capture_on_commit_callbacks
):
    officer = staff_with_mfa(client)
    purpose = AIPurpose.objects.get(slug="ai-training")
    system = AISystemFactory.create()
    url = f"/admin/privacy/aipurpose/{purpose.pk}/change/"
    data = page_data(client.get(url), notice_text_en="New wording.", ai_systems=[str(system.pk)])
    data["legal_basis"] = "legitimate_interests"  # read-only on a saved purpose: ignored
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    purpose.refresh_from_db()
    assert (purpose.notice_version, purpose.notice_text, purpose.legal_basis) == (2, "New wording.", "consent")
    assert list(purpose.notices.values_list("version", flat=True)) == [2, 1]
    assert list(purpose.ai_systems.all()) == [system]
    event = only_event("ai_purpose.changed")
    assert (event.actor_id, event.object_type, event.object_id) == (officer.pk, "privacy.aipurpose", str(purpose.pk))
    assert event.details == {"fields": ["ai_systems", "notice_text_en"], "notice_version": 2}
    assert_no_personal_data(event, "New wording.")


def test_the_purpose_service_refuses_a_new_legal_basis_and_records_nothing(db):
    staff = make_customer("officer@example.com", is_staff=True)
    purpose = AIPurpose.objects.get(slug="ai-training")
    purpose.legal_basis = AIPurpose.LegalBasis.LEGITIMATE_INTERESTS
    with pytest.raises(ValueError, match="legal_basis"):
        services.ai_purpose_save(
            purpose=purpose, ai_systems=[], notice_text=purpose.notice_text, changed=["legal_basis"], actor_id=staff.pk
        )
    assert AIPurpose.objects.get(pk=purpose.pk).legal_basis == AIPurpose.LegalBasis.CONSENT
    assert not AuditEvent.objects.filter(action__startswith="ai_purpose.").exists()


# --- API clients -----------------------------------------------------------------


def test_staff_add_an_api_client_the_token_is_shown_once_and_the_trail_records_it(client):
    officer = staff_with_mfa(client)
    data = page_data(client.get("/admin/privacy/apiclient/add/"), name="Billing", scopes=["permissions:read"])
    response = client.post("/admin/privacy/apiclient/add/", data)
    pk = added_pk(response, APIClient)
    page = client.get(response.url).content.decode()
    api_client = APIClient.objects.get(pk=pk)
    assert f"The token for {api_client.name} is {api_client.token_prefix}" in page
    event = only_event("api_client.created")
    assert (event.actor_id, event.object_type, event.object_id) == (officer.pk, "privacy.apiclient", pk)
    assert event.details == {"scopes": ["permissions:read"], "active": True}


def test_staff_change_an_api_clients_scopes_and_the_trail_names_them(client):
    officer = staff_with_mfa(client)
    api_client, _ = services.api_client_create(name="Billing", scopes=["permissions:read"])
    url = f"/admin/privacy/apiclient/{api_client.pk}/change/"
    data = page_data(client.get(url), scopes=["permissions:read", "permissions:write"])
    assert client.post(url, data).status_code == 302
    api_client.refresh_from_db()
    assert api_client.scopes == ["permissions:read", "permissions:write"]
    event = only_event("api_client.changed")
    assert (event.actor_id, event.object_type, event.object_id) == (officer.pk, "privacy.apiclient", str(api_client.pk))
    assert event.details == {"fields": ["scopes"], "scopes": ["permissions:read", "permissions:write"], "active": True}


def test_staff_issue_a_new_token_and_the_trail_records_it(client):
    officer = staff_with_mfa(client)
    api_client, _ = services.api_client_create(name="Billing", scopes=["permissions:read"])
    client.post("/admin/privacy/apiclient/", {"action": "rotate_tokens", "_selected_action": [api_client.pk]})
    event = only_event("api_client.token_rotated")
    assert (event.actor_id, event.object_type, event.object_id) == (officer.pk, "privacy.apiclient", str(api_client.pk))
    assert event.details == {}


# --- Staff guidelines ---------------------------------------------------------------


def test_staff_publish_guidelines_and_the_admin_goes_on_with_the_published_version(client):
    officer = staff_with_mfa(client)
    services.guidelines_publish(text="Version 1.", staff_user=officer)
    data = page_data(client.get("/admin/privacy/staffguidelines/add/"), text="Version 2: explain every answer.")
    response = client.post("/admin/privacy/staffguidelines/add/", data)
    published = StaffGuidelines.objects.get(version=2)
    # Django's history entry and redirect are about the row the service published.
    assert added_pk(response, StaffGuidelines) == str(published.pk)
    assert client.get(response.url).status_code == 200
    event = AuditEvent.objects.filter(action="guidelines.published").last()
    assert event is not None
    assert (event.actor_id, event.object_type, event.object_id) == (
        officer.pk,
        "privacy.staffguidelines",
        str(published.pk),
    )
    assert event.details == {"version": 2}
    assert_no_personal_data(event, "explain every answer")


# --- Human reviews ---------------------------------------------------------------------


def review_for(customer) -> HumanReviewRequest:
    conversation = ConversationFactory.create(customer=customer)
    return services.human_review_request(
        user=customer,
        source=registry.source("interactions.conversation"),
        row=conversation,
        statement="ALICE-STATEMENT please look again",
        contests_outcome=False,
    )


def staff_who_acknowledged(client) -> User:
    staff = staff_with_mfa(client)
    guidelines = services.guidelines_publish(text="A person reviews every contested AI outcome.", staff_user=staff)
    services.guidelines_acknowledge(guidelines=guidelines, staff_user=staff)
    return staff


def test_staff_answer_a_review_and_the_trail_records_the_result_not_the_words(client, alice, bob):
    officer = staff_who_acknowledged(client)
    review = review_for(alice)
    review_for(bob)
    url = f"/admin/privacy/humanreviewrequest/{review.pk}/change/"
    data = page_data(client.get(url), result="upheld", answer="ALICE-ANSWER a person checked it.")
    assert client.post(url, data).status_code == 302
    event = only_event("human_review.answered")
    assert (event.actor_id, event.object_type, event.object_id) == (
        officer.pk,
        "privacy.humanreviewrequest",
        str(review.pk),
    )
    assert event.details == {
        "ai_system": review.ai_system_id,
        "contested": False,
        "result": "upheld",
        "new_outcome": "",
    }
    assert_no_personal_data(event, "ALICE-ANSWER", "ALICE-STATEMENT", "Alice")


def test_staff_start_a_review_and_the_trail_records_it(client, alice):
    officer = staff_who_acknowledged(client)
    review = review_for(alice)
    client.post("/admin/privacy/humanreviewrequest/", {"action": "start_review", "_selected_action": [review.pk]})
    event = only_event("human_review.started")
    assert (event.actor_id, event.object_id, event.details) == (officer.pk, str(review.pk), {})


# --- Webhooks ----------------------------------------------------------------------------


def test_staff_add_a_webhook_endpoint_and_the_trail_records_it(client):
    officer = staff_with_mfa(client)
    data = page_data(
        client.get("/admin/privacy/webhookendpoint/add/"),
        name="CRM",
        url="http://127.0.0.1:9/hook",
        events=["ai_preferences.changed"],
    )
    pk = added_pk(client.post("/admin/privacy/webhookendpoint/add/", data), WebhookEndpoint)
    assert WebhookEndpoint.objects.get(pk=pk).secret.startswith("whsec_")
    event = only_event("webhook_endpoint.created")
    assert (event.actor_id, event.object_type, event.object_id) == (officer.pk, "privacy.webhookendpoint", pk)
    assert event.details == {"events": ["ai_preferences.changed"], "active": True}


def test_staff_change_a_webhook_endpoint_its_new_url_is_checked_and_the_trail_names_the_fields(client, settings):
    officer = staff_with_mfa(client)
    endpoint = services.webhook_endpoint_create(name="CRM", url="http://127.0.0.1:9/hook", events=[])
    url = f"/admin/privacy/webhookendpoint/{endpoint.pk}/change/"
    data = page_data(client.get(url), events=["erasure.completed"], url="http://127.0.0.1:9/other")
    assert client.post(url, data).status_code == 302
    event = only_event("webhook_endpoint.changed")
    assert (event.actor_id, event.object_type, event.object_id) == (
        officer.pk,
        "privacy.webhookendpoint",
        str(endpoint.pk),
    )
    assert event.details == {"fields": ["url", "events"], "events": ["erasure.completed"], "active": True}

    settings.PORTAL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    refused = client.post(url, page_data(client.get(url), url="http://10.0.0.5/hook"))
    assert refused.status_code == 200 and "This address cannot be used" in refused.content.decode()
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).url == "http://127.0.0.1:9/other"
    assert AuditEvent.objects.filter(action="webhook_endpoint.changed").count() == 1


def test_staff_send_a_webhook_delivery_again_and_the_trail_records_it(client):
    officer = staff_with_mfa(client)
    endpoint = services.webhook_endpoint_create(name="CRM", url="http://127.0.0.1:9/hook", events=[])
    failed = WebhookDelivery.objects.create(
        endpoint=endpoint, event="erasure.completed", payload={}, status="failed", attempts=5
    )
    delivered = WebhookDelivery.objects.create(
        endpoint=endpoint, event="erasure.completed", payload={}, status="delivered"
    )
    client.post("/admin/privacy/webhookdelivery/", {"action": "retry", "_selected_action": [failed.pk, delivered.pk]})
    event = only_event("webhook_delivery.resent")  # a delivered one is not sent twice
    assert (event.actor_id, event.object_type, event.object_id) == (
        officer.pk,
        "privacy.webhookdelivery",
        str(failed.pk),
    )
    assert event.details == {"endpoint": endpoint.pk, "event": "erasure.completed", "attempts_before": 5}


# --- Deleting, on the delete page and with "delete selected" ----------------------------------


def _ai_system(alice):
    return AISystemFactory.create(slug="retired-assistant"), {"model": "privacy.aisystem", "cascaded": {}}


def _ai_purpose(alice):
    purpose = AIPurpose.objects.create(
        slug="retired", name="Retired", description="-", data_used="-", legal_basis="consent", notice_text="-"
    )
    # A choice without its ledger entry (a recorded consent would protect the purpose from deletion).
    AIPreference.objects.create(
        user=alice, purpose=purpose, allowed=True, method="portal", notice_version=1, changed_at=timezone.now()
    )
    return purpose, {"preferences": 1}


def _api_client(alice):
    return services.api_client_create(name="Old CRM", scopes=["permissions:read"])[0], {}


def _webhook_endpoint(alice):
    endpoint = services.webhook_endpoint_create(name="Old CRM", url="http://127.0.0.1:9/hook", events=[])
    WebhookDelivery.objects.create(endpoint=endpoint, event="erasure.completed", payload={"customer": "x"})
    return endpoint, {"deliveries": 1}


def _webhook_delivery(alice):
    endpoint = services.webhook_endpoint_create(name="CRM", url="http://127.0.0.1:9/hook", events=[])
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="ai_preferences.changed", payload={"customer_id": str(alice.public_id)}
    )
    WebhookAttempt.objects.create(delivery=delivery, status_code=500)
    return delivery, {"model": "privacy.webhookdelivery", "cascaded": {"privacy.webhookattempt": 1}}


def _outbound_email(alice):
    message = EmailMessage("ALICE-SUBJECT", "ALICE-BODY", "privacy@example.com", [alice.email])
    email = services.outbound_email_queue(message=message, template="privacy/email/test", user_id=alice.pk)
    return email, {"model": "privacy.outboundemail", "cascaded": {}}


def _human_review(alice):
    return review_for(alice), {"model": "privacy.humanreviewrequest", "cascaded": {}}


def _ai_output_flag(alice):
    conversation = ConversationFactory.create(customer=alice)
    answer = MessageFactory.create(conversation=conversation, sender="ai", ai_system=conversation.ai_system)
    flag = services.ai_output_flag(
        user=alice, source=registry.source("interactions.message"), row=answer, reason="wrong", comment="ALICE-COMMENT"
    )
    return flag, {"model": "privacy.aioutputflag", "cascaded": {}}


def _preference_breach(alice):
    conversation = ConversationFactory.create(customer=alice)
    breach = PreferenceBreach.objects.create(
        user=alice,
        purpose=AIPurpose.objects.get(slug="automated-decisions"),
        reason="choice",
        content_type=ContentType.objects.get_for_model(conversation),
        object_id=conversation.pk,
    )
    return breach, {"model": "privacy.preferencebreach", "cascaded": {}}


DELETABLE = {
    "ai_system": _ai_system,
    "ai_purpose": _ai_purpose,
    "api_client": _api_client,
    "webhook_endpoint": _webhook_endpoint,
    "webhook_delivery": _webhook_delivery,
    "outbound_email": _outbound_email,
    "human_review_request": _human_review,
    "ai_output_flag": _ai_output_flag,
    "preference_breach": _preference_breach,
}


def delete_in_the_admin(client, row, how: str):
    """Delete `row` as staff do: on its delete page, or ticked in the list with "delete selected"."""
    opts = row._meta
    if how == "page":
        response = client.post(f"/admin/{opts.app_label}/{opts.model_name}/{row.pk}/delete/", {"post": "yes"})
    else:
        response = client.post(
            f"/admin/{opts.app_label}/{opts.model_name}/",
            {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
        )
    assert response.status_code == 302, response.content.decode()[:3000]


@pytest.mark.parametrize("how", ["page", "action"])
@pytest.mark.parametrize("entity", list(DELETABLE))
def test_staff_delete_a_row_and_the_trail_records_it(client, alice, entity, how):
    superuser = superuser_with_mfa(client)
    row, details = DELETABLE[entity](alice)
    model, pk = type(row), row.pk
    delete_in_the_admin(client, row, how)
    assert not model._default_manager.filter(pk=pk).exists()
    event = only_event(f"{entity}.deleted")
    assert (event.actor_id, event.object_type, event.object_id) == (superuser.pk, model._meta.label_lower, str(pk))
    assert event.details == details
    assert_no_personal_data(event, str(alice.public_id), "ALICE-", "Alice")
