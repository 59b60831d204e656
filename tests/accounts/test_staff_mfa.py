"""Staff set up their second factor with more than a password: an officer's invitation, or the factor they have."""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, format_hotp_value, hotp_value
from django.core.management import call_command
from django.utils import formats, timezone, translation

from accounts import services
from accounts.demo import DEMO_OFFICER_TOTP_SECRET, current_demo_totp_code
from accounts.models import StaffMFAInvitation
from privacy.models import AuditEvent
from tests.conftest import PASSWORD, make_customer, sign_in


@pytest.fixture
def agent(db):
    return make_customer("agent@example.com", "Sam Agent", is_staff=True)


@pytest.fixture
def officer(db):
    officer = make_customer("officer@example.com", "Olivia Okafor", is_staff=True, is_superuser=True)
    TOTP.activate(officer, DEMO_OFFICER_TOTP_SECRET)
    return officer


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


def signed_in_with_password(client, user):
    sign_in(client, user.email)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    return client


def invitation_link(mailoutbox, user) -> str:
    message = [m for m in mailoutbox if user.email in m.to][-1]
    match = re.search(r"http\S+/staff/two-factor/invitation/[^/\s]+/", message.body)
    assert match is not None, message.body
    return urlsplit(match.group(0)).path


def invite(staff, officer) -> str:
    """The path of a fresh invitation's link (the e-mail that carries it is tested once, above)."""
    return urlsplit(services.staff_mfa_invitation_issue(staff_user=staff, issued_by_id=officer.pk)).path


def enrol_totp(client, user) -> Authenticator | None:
    page = client.get("/accounts/2fa/totp/activate/")
    if page.status_code != 200:
        return None
    secret = client.session[SECRET_SESSION_KEY]
    client.post("/accounts/2fa/totp/activate/", {"code": code_for(secret)})
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


def test_a_staff_member_with_only_a_password_cannot_enrol_the_factor_that_opens_the_admin(client, agent):
    signed_in_with_password(client, agent)
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/two-factor/"
    # Posting straight to the page is refused the same way.
    assert client.post("/accounts/2fa/totp/activate/", {"code": "123456"})["Location"] == "/staff/two-factor/"
    assert client.get("/accounts/2fa/webauthn/add/")["Location"] == "/staff/two-factor/"
    assert not Authenticator.objects.filter(user=agent).exists()
    # The admin sends them to ask for an invitation, never to set one up alone.
    assert client.get("/admin/", follow=True).redirect_chain[-1][0] == "/staff/two-factor/"


def test_a_customer_sets_up_two_factor_without_any_invitation(client, alice, bob):
    signed_in_with_password(client, alice)
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


def test_with_an_officers_invitation_the_staff_member_enrols_and_then_reaches_the_admin(
    client, client_factory, agent, officer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link = invite(agent, officer)
    signed_in_with_password(client, agent)
    assert client.get(link).status_code == 200  # a page with a button: nothing used yet
    assert client.post(link)["Location"] == "/accounts/2fa/totp/activate/"
    with django_capture_on_commit_callbacks(execute=True):
        authenticator = enrol_totp(client, agent)
    assert authenticator is not None and authenticator.user_id == agent.pk
    invitation = StaffMFAInvitation.objects.get(user=agent)
    assert invitation.used_at is not None
    assert AuditEvent.objects.filter(action="staff.mfa_added", actor_id=agent.pk).exists()
    alerts = [m for m in mailoutbox if "privacy-team@localhost" in m.to and "two-factor" in m.subject]
    assert alerts and agent.email in alerts[-1].subject
    # Now a real sign-in with both factors opens the admin.
    browser = client_factory()
    browser.post("/accounts/login/", {"login": agent.email, "password": PASSWORD})
    secret = TOTP(authenticator).instance.data["secret"]
    from accounts.mfa_secrets import decrypt_secret

    browser.post("/accounts/2fa/authenticate/", {"code": code_for(decrypt_secret(secret))})
    assert browser.get("/admin/").status_code in (200, 403)  # in; what they see is their role's business
    assert browser.get("/admin/").status_code != 302


def test_an_invitation_link_works_only_for_its_own_staff_member(client, agent, officer, mailoutbox):
    other = make_customer("other-agent@example.com", is_staff=True)
    link = invite(agent, officer)
    signed_in_with_password(client, other)
    assert client.post(link)["Location"] == "/staff/two-factor/"
    assert client.get("/accounts/2fa/totp/activate/")["Location"] == "/staff/two-factor/"


def test_an_invitation_link_works_once_and_not_after_it_expires(
    client_factory, agent, officer, django_capture_on_commit_callbacks
):
    link = invite(agent, officer)
    StaffMFAInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    late = signed_in_with_password(client_factory(), agent)
    assert late.post(link)["Location"] == "/staff/two-factor/"
    assert not Authenticator.objects.filter(user=agent).exists()

    link = invite(agent, officer)
    first = signed_in_with_password(client_factory(), agent)
    first.post(link)
    with django_capture_on_commit_callbacks(execute=True):  # allauth reports the new factor after commit
        assert enrol_totp(first, agent) is not None
    Authenticator.objects.filter(user=agent).delete()
    again = signed_in_with_password(client_factory(), agent)
    assert again.post(link)["Location"] == "/staff/two-factor/"


def test_a_new_invitation_withdraws_the_earlier_link(client, agent, officer, mailoutbox):
    first_link = invite(agent, officer)
    invite(agent, officer)
    signed_in_with_password(client, agent)
    assert client.post(first_link)["Location"] == "/staff/two-factor/"


def test_staff_who_confirmed_their_existing_factor_may_add_another_without_an_invitation(client, officer):
    client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": current_demo_totp_code()})
    client.post("/accounts/2fa/reauthenticate/", {"code": current_demo_totp_code(1)})
    assert client.get("/accounts/2fa/webauthn/add/").status_code == 200


def test_every_staff_second_factor_change_is_audited_and_the_privacy_team_told(
    client, officer, alice, mailoutbox, django_capture_on_commit_callbacks
):
    client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": current_demo_totp_code()})
    client.post("/accounts/2fa/reauthenticate/", {"code": current_demo_totp_code(1)})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/2fa/totp/deactivate/", {})
    assert not Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    assert AuditEvent.objects.filter(action="staff.mfa_removed", actor_id=officer.pk).exists()
    assert any("removed a second factor" in m.subject for m in mailoutbox)
    # A customer's own changes are theirs: neither audited as staff nor reported.
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    assert not AuditEvent.objects.filter(action__startswith="staff.mfa", actor_id=alice.pk).exists()


def test_a_privacy_officer_invites_from_the_admin_and_a_support_agent_cannot(
    client, client_factory, agent, officer, mailoutbox, django_capture_on_commit_callbacks
):
    client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": current_demo_totp_code()})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/accounts/user/", {"action": "invite_to_set_up_mfa", "_selected_action": [agent.pk]}, follow=True
        )
    assert "was e-mailed an invitation link" in response.content.decode()
    assert StaffMFAInvitation.objects.filter(user=agent, issued_by=officer).exists()
    assert AuditEvent.objects.filter(action="staff.mfa_invited", actor_id=officer.pk).exists()
    assert invitation_link(mailoutbox, agent)


def test_the_first_staff_member_is_invited_from_the_command_line(agent, mailoutbox):
    out = io.StringIO()
    call_command("staff_mfa_invite", agent.email, stdout=out)
    assert "/staff/two-factor/invitation/" in out.getvalue()
    assert StaffMFAInvitation.objects.filter(user=agent, issued_by=None).exists()


def test_the_invitation_says_until_when_in_the_staff_members_language_and_its_date_format(
    agent, officer, mailoutbox, django_capture_on_commit_callbacks
):
    agent.preferred_language = "de"
    agent.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_mfa_invitation_issue(staff_user=agent, issued_by_id=officer.pk)
    invitation = StaffMFAInvitation.objects.get(user=agent)
    with translation.override("de"):
        until = formats.date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT")
    assert re.fullmatch(r"\d{1,2}\. \w+ \d{4}, \d{2}:\d{2}", until)  # "1. Dezember 2026, 14:05"
    [message] = [m for m in mailoutbox if agent.email in m.to]
    assert f"Der Link funktioniert einmal, bis zum {until} (" in message.body
    assert f"bis zum {until} (" in message.alternatives[0][0]
    assert not [m for m in mailoutbox if officer.email in m.to and "Der Link" in m.body]
