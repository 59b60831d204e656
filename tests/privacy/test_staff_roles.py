"""The staff roles (privacy/roles.py): each holds exactly what its work needs.

The support agent answers human reviews and reads AI-output flags. The walk
below signs one in with MFA, as staff reach the admin, and requests every URL
the admin site has — found from the site's own URL patterns and registry, so a
page added later is walked too — with a real row behind each object URL.
"""

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import models
from django.http import HttpResponseBase
from django.urls import URLPattern, URLResolver, reverse
from django.urls.resolvers import RoutePattern

from accounts.demo import DEMO_OFFICER_TOTP_SECRET, current_demo_totp_code
from accounts.models import User
from interactions.models import AIDecision, Conversation
from privacy import selectors, services
from privacy.models import (
    AIOutputFlag,
    AIPurpose,
    HumanReviewRequest,
    PreferenceBreach,
    WebhookDelivery,
    WebhookEndpoint,
)
from privacy.registry import registry
from privacy.roles import PRIVACY_OFFICER, SUPPORT_AGENT, ensure_staff_roles, role_grants
from tests.conftest import PASSWORD, make_customer
from tests.factories import AIDecisionFactory, ConversationFactory, MessageFactory, give_history
from tests.fairness.conftest import customers, decide, run_audit

# What answering reviews and reading flags needs, as admin URL names (a model's
# URLs are named "<app>_<model>_<page>"; "_object" is the bare object URL that
# redirects to its page). Everything else must be refused.
WHAT_THE_WORK_NEEDS = {
    # The desk itself, and the agent's own password.
    "index",
    "login",  # signed in already: the sign-in page leads to the index
    "app_list:privacy",
    "jsi18n",
    "password_change",
    "password_change_done",
    # The queue of human reviews and the answer form, with its history.
    "privacy_humanreviewrequest_changelist",
    "privacy_humanreviewrequest_change",
    "privacy_humanreviewrequest_history",
    "privacy_humanreviewrequest_object",
    # What customers flagged in AI output.
    "privacy_aioutputflag_changelist",
    "privacy_aioutputflag_change",
    "privacy_aioutputflag_history",
    "privacy_aioutputflag_object",
    # The AI systems' transparency cards, to explain what an AI did.
    "privacy_aisystem_changelist",
    "privacy_aisystem_change",
    "privacy_aisystem_history",
    "privacy_aisystem_object",
    "autocomplete:privacy.aisystem",
    # The guidelines they must acknowledge before answering.
    "privacy_guidelines_acknowledge",
    "privacy_staffguidelines_changelist",
    "privacy_staffguidelines_change",
    "privacy_staffguidelines_history",
    "privacy_staffguidelines_object",
}

# The support agent's grants before least privilege (issue 12), as a database
# made then still holds them.
OLD_SUPPORT_AGENT_GRANTS = {
    "privacy": {
        "view_privacyrequest",
        "view_humanreviewrequest",
        "change_humanreviewrequest",
        "view_aioutputflag",
        "view_aisystem",
        "view_aipurpose",
        "view_staffguidelines",
    },
    "accounts": {"view_user"},
    "interactions": {"view_conversation", "view_aiinference", "view_message", "view_aidecision"},
}


def group_permissions(name: str) -> dict[str, set[str]]:
    held: dict[str, set[str]] = {}
    for app_label, codename in Group.objects.get(name=name).permissions.values_list(
        "content_type__app_label", "codename"
    ):
        held.setdefault(app_label, set()).add(codename)
    return held


def test_the_support_agent_is_granted_only_what_answering_reviews_and_flags_needs(db):
    expected = {
        "privacy": {
            "view_humanreviewrequest",
            "change_humanreviewrequest",
            "view_aioutputflag",
            "view_aisystem",
            "view_staffguidelines",
        }
    }
    assert {app: codenames for app, codenames in role_grants(SUPPORT_AGENT).items() if codenames} == expected
    assert group_permissions(SUPPORT_AGENT) == expected


def test_a_database_upgraded_from_the_old_grants_loses_the_excess(db):
    agent_group = Group.objects.get(name=SUPPORT_AGENT)
    for app_label, codenames in OLD_SUPPORT_AGENT_GRANTS.items():
        agent_group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
    officer_before = group_permissions(PRIVACY_OFFICER)
    ensure_staff_roles()
    declared = {app: codenames for app, codenames in role_grants(SUPPORT_AGENT).items() if codenames}
    assert group_permissions(SUPPORT_AGENT) == declared
    assert "accounts" not in group_permissions(SUPPORT_AGENT)
    assert "interactions" not in group_permissions(SUPPORT_AGENT)
    assert group_permissions(PRIVACY_OFFICER) == officer_before  # the officer keeps every grant


# --- The walk ----------------------------------------------------------------

# Text that must never reach the agent: the second customer (nothing of Bob's
# is under review or flagged) and everything of Alice's that is not.
NEVER_SHOWN = (
    "bob@example.com",
    "Bob Brennan",
    "BOB-SECRET",
    "Dublin",
    "+353 1 555 0142",
    "ALICE-OTHER",
    "Bristol",
    "+44 20 7946 0011",
)


@dataclass
class Desk:
    """Alice asked for two reviews and flagged one AI answer; Bob asked for nothing."""

    officer: User
    reviewed_conversation: Conversation
    contested_decision: AIDecision
    reviews: list[HumanReviewRequest]
    flag: AIOutputFlag


@pytest.fixture
def desk(alice, bob, charlie) -> Desk:
    officer = make_customer("officer@example.com", is_staff=True)
    officer.groups.add(Group.objects.get(name=PRIVACY_OFFICER))
    services.guidelines_publish(text="A person reviews every contested AI outcome.", staff_user=officer)

    give_history(alice, marker="ALICE-OTHER")
    conversation = ConversationFactory.create(customer=alice, subject="ALICE-REVIEWED parcel never came")
    MessageFactory.create(conversation=conversation, body="ALICE-REVIEWED where is my parcel?")
    MessageFactory.create(conversation=conversation, sender="ai", body="ALICE-REVIEWED it was delivered")
    decision = AIDecisionFactory.create(customer=alice, outcome_label="ALICE-CONTESTED refund declined")
    answer = MessageFactory.create(
        conversation=ConversationFactory.create(customer=alice, subject="ALICE-OTHER flagged chat"),
        sender="ai",
        body="ALICE-FLAGGED the parcel was delivered",
        ai_system=conversation.ai_system,
    )
    reviews = [
        services.human_review_request(
            user=alice,
            source=registry.source("interactions.conversation"),
            row=conversation,
            statement="Please have a person look at this.",
            contests_outcome=False,
        ),
        services.human_review_request(
            user=alice,
            source=registry.source("interactions.aidecision"),
            row=decision,
            statement="",
            contests_outcome=True,
        ),
    ]
    flag = services.ai_output_flag(
        user=alice, source=registry.source("interactions.message"), row=answer, reason="wrong", comment="Not true."
    )

    # Bob's records, in every kind of place the admin has.
    bob_conversations = give_history(bob, marker="BOB-SECRET")
    AIDecisionFactory.create(customer=bob, outcome_label="BOB-SECRET offer withheld")
    services.export_request_create(user=bob)
    services.outbound_email_queue(
        message=EmailMessage("BOB-SECRET subject", "BOB-SECRET body", "privacy@example.com", [bob.email]),
        template="privacy/email/test",
        user_id=bob.pk,
    )
    PreferenceBreach.objects.create(
        user=bob,
        purpose=AIPurpose.objects.get(slug="automated-decisions"),
        reason="choice",
        content_type=ContentType.objects.get_for_model(bob_conversations[0]),
        object_id=bob_conversations[0].pk,
    )
    services.api_client_create(name="CRM", scopes=["permissions:read"], actor_id=officer.pk)
    endpoint = WebhookEndpoint.objects.create(
        name="CRM hook", url="https://crm.example.com/hook", events=["ai_preferences.changed"], secret="whsec_x"
    )
    WebhookDelivery.objects.create(endpoint=endpoint, event="ai_preferences.changed", payload={"customer": "x"})
    decide(customers(4, recorded={"language": "en"}), decision.ai_system, favourable=3, unfavourable=1)
    run_audit()
    return Desk(officer, conversation, decision, reviews, flag)


def agent_with_mfa(client):
    """A support agent signed in with their second factor, as staff open the admin."""
    agent = make_customer("agent@example.com", "Avery Agent", is_staff=True)
    agent.groups.add(Group.objects.get(name=SUPPORT_AGENT))
    TOTP.activate(agent, DEMO_OFFICER_TOTP_SECRET)
    client.post("/accounts/login/", {"login": agent.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": current_demo_totp_code()})
    assert client.get("/admin/").status_code == 200
    guidelines = selectors.current_guidelines()
    assert guidelines is not None
    services.guidelines_acknowledge(guidelines=guidelines, staff_user=agent)
    return agent


_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _fill(route: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"the walk does not know how to fill <{name}> in the admin route {route!r}"
        return values[name]

    return _PARAMETER.sub(value, route)


def admin_urls() -> Iterator[tuple[str, str]]:
    """(label, URL) for every page of the admin site, each object URL naming a real row."""
    site = admin.site
    by_route = {f"{model._meta.app_label}/{model._meta.model_name}/": model for model in site._registry}
    rows: dict[type[models.Model], models.Model] = {}
    for model in site._registry:
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"the walk needs a row of {model._meta.label}: add one to the desk fixture"
        rows[model] = row
    for pattern in site.get_urls():
        if isinstance(pattern, URLResolver):
            model = by_route[str(pattern.pattern)]
            prefix = f"/admin/{pattern.pattern}"
            values = {"object_id": str(rows[model].pk), "id": str(rows[model].pk)}  # UserAdmin says <id>
            for page in pattern.url_patterns:
                assert isinstance(page, URLPattern) and isinstance(page.pattern, RoutePattern)
                name = page.name or f"{model._meta.app_label}_{model._meta.model_name}_object"
                yield name, prefix + _fill(str(page.pattern), values)
        elif page_name := pattern.name:
            if page_name == "app_list":
                for app_label in sorted({model._meta.app_label for model in site._registry}):
                    yield f"app_list:{app_label}", reverse("admin:app_list", kwargs={"app_label": app_label})
            elif page_name == "view_on_site":
                for model, row in rows.items():
                    content_type = ContentType.objects.get_for_model(model)
                    yield (
                        f"view_on_site:{model._meta.label_lower}",
                        reverse("admin:view_on_site", args=[content_type.pk, row.pk]),
                    )
            elif page_name == "autocomplete":
                yield page_name, reverse("admin:autocomplete")
                # The search behind every autocomplete box: one per model it can list.
                for source, field_name, listed in _one_relation_to_each(site._registry):
                    query = f"app_label={source._meta.app_label}&model_name={source._meta.model_name}"
                    yield (
                        f"autocomplete:{listed._meta.label_lower}",
                        f"{reverse('admin:autocomplete')}?{query}&field_name={field_name}&term=",
                    )
            else:
                assert isinstance(pattern.pattern, RoutePattern), f"unknown admin URL {pattern.pattern}"
                yield page_name, "/admin/" + _fill(str(pattern.pattern), {})
        else:
            assert "url" in pattern.pattern.regex.groupindex, f"unknown admin URL {pattern.pattern}"  # catch-all


def _one_relation_to_each(registered) -> Iterator[tuple[type[models.Model], str, type[models.Model]]]:
    """(model, field, the registered model it points to): one way into each registered model's search."""
    seen = set()
    for source in apps.get_models():
        for field in source._meta.get_fields():
            listed = field.related_model
            if field.concrete and isinstance(listed, type) and listed in registered and listed not in seen:
                seen.add(listed)
                yield source, field.name, listed


def visit(client, url: str, hops: int = 3, answered: dict[str, HttpResponseBase] | None = None):
    """The agent's answer: a page (200), a refusal, or where a redirect leads.

    `answered` remembers the final answer of each URL asked before, so a walk
    does not load a page twice (a model's bare object URL redirects to its change
    page, walked just before it). Nothing a walk asks changes what a page answers.
    """
    if answered is not None and url in answered:
        return answered[url]
    response = client.get(url)
    if response.status_code == 405:  # a POST-only action, e.g. "run a fairness audit"
        response = client.post(url)
    location = response.get("Location", "")
    if response.status_code == 302 and not location.startswith(("/admin/login/", "/accounts/login/")) and hops:
        return visit(client, location, hops - 1, answered)
    if answered is not None and response.status_code != 302:  # a final answer, however many hops were left
        answered[url] = response
    return response


def test_a_support_agent_reaches_only_the_admin_pages_their_work_needs(client, desk, caplog):
    # Each of the hundred-odd refusals logs a warning: formatting them costs a
    # twentieth of the walk, and the assertions below already say what was refused.
    caplog.set_level(logging.ERROR, logger="django.request")
    agent_with_mfa(client)
    shown: dict[str, str] = {}
    refused: list[str] = []
    unexpected: list[str] = []
    walked = list(admin_urls())
    answered: dict[str, HttpResponseBase] = {}
    for label, url in walked:
        if label == "logout":
            continue  # leaving is not seeing, and it would end the walk
        response = visit(client, url, answered=answered)
        location = response.get("Location", "")
        if response.status_code == 200:
            shown[label] = response.content.decode()
        elif response.status_code in (403, 404) or (
            response.status_code == 302 and location.startswith(("/admin/login/", "/accounts/login/"))
        ):
            # Django answers 404 for an app's index when none of its models may be seen.
            refused.append(label)
        else:
            unexpected.append(f"{label} {url} -> {response.status_code} {location}")
    assert not unexpected
    assert set(shown) == WHAT_THE_WORK_NEEDS
    # The walk reached the pages that hold customers' data, and they were refused.
    for needed in ("accounts_user_change", "interactions_conversation_change", "privacy_privacyrequest_changelist"):
        assert needed in refused
    assert len(walked) > 150

    for label, page in shown.items():
        leaked = [text for text in NEVER_SHOWN if text in page]
        assert not leaked, f"{label} shows {leaked}"
        # What is under review is shown on that review's own page, and nowhere else.
        if label != "privacy_humanreviewrequest_change" and label != "privacy_humanreviewrequest_object":
            assert "ALICE-REVIEWED" not in page, label
            assert "ALICE-CONTESTED" not in page, label
        if label not in ("privacy_aioutputflag_change", "privacy_aioutputflag_object"):
            assert "ALICE-FLAGGED" not in page, label


def test_the_review_page_shows_the_agent_what_is_under_review(client, desk):
    agent_with_mfa(client)
    conversation_review, decision_review = desk.reviews
    page = client.get(f"/admin/privacy/humanreviewrequest/{conversation_review.pk}/change/").content.decode()
    assert "ALICE-REVIEWED parcel never came" in page
    # The conversation's own messages, and no other conversation's.
    assert "ALICE-REVIEWED where is my parcel?" in page and "ALICE-REVIEWED it was delivered" in page
    assert "ALICE-OTHER" not in page and "ALICE-FLAGGED" not in page
    page = client.get(f"/admin/privacy/humanreviewrequest/{decision_review.pk}/change/").content.decode()
    assert "ALICE-CONTESTED refund declined" in page and "New outcome" in page
    # ...but not the customer's profile behind it.
    assert client.get(f"/admin/accounts/user/{conversation_review.user_id}/change/").status_code == 403
    assert client.get(f"/admin/interactions/conversation/{desk.reviewed_conversation.pk}/change/").status_code == 403


def test_the_flag_page_shows_the_agent_the_ai_output_that_was_flagged(client, desk):
    agent_with_mfa(client)
    page = client.get(f"/admin/privacy/aioutputflag/{desk.flag.pk}/change/").content.decode()
    assert "ALICE-FLAGGED the parcel was delivered" in page and "Not true." in page


def test_an_agent_who_acknowledges_the_guidelines_lands_on_a_page_they_may_see(client, desk):
    agent_with_mfa(client)
    services.guidelines_publish(text="Version 2: explain every answer.", staff_user=desk.officer)
    response = client.post("/admin/privacy/privacyrequest/guidelines/acknowledge/", follow=True)
    assert response.status_code == 200
    assert "version 2 acknowledged" in response.content.decode()
