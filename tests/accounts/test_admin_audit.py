"""Every write staff make to accounts in the admin leaves an event in the audit trail.

Customers and staff (accounts/admin.py), and Django's and allauth's admins it
registers again: groups, e-mail addresses, second factors and sessions. Each
test drives one write path through the real admin pages, signed in with MFA,
and reads the event: who, what, which fields, and never the person's data.
"""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts.demo import DEMO_OFFICER_TOTP_SECRET
from accounts.models import User
from privacy.models import AuditEvent
from privacy.roles import PRIVACY_OFFICER
from tests.conftest import PASSWORD, make_customer, sent_emails, sign_in
from tests.privacy.test_admin_audit import (
    added_pk,
    assert_no_personal_data,
    delete_in_the_admin,
    only_event,
    page_data,
    staff_with_mfa,
    superuser_with_mfa,
)

pytestmark = pytest.mark.django_db

ALICE = ("Alice Archer", "Bristol", "+44 20 7946 0011")
NEW_PASSWORD = "another-long-password-77"


# --- Customers and staff -------------------------------------------------------------


def test_staff_add_an_account_and_the_trail_names_the_fields_not_the_address(client):
    root = superuser_with_mfa(client)
    data = page_data(
        client.get("/admin/accounts/user/add/"),
        email="dana@example.com",
        usable_password="true",
        password1=NEW_PASSWORD,
        password2=NEW_PASSWORD,
    )
    pk = added_pk(client.post("/admin/accounts/user/add/", data), User)
    assert User.objects.get(pk=pk).check_password(NEW_PASSWORD)
    event = only_event("user.created")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "accounts.user", pk)
    assert event.details["model"] == "accounts.user" and "email" in event.details["fields"]
    assert_no_personal_data(event, "dana", NEW_PASSWORD)


def test_staff_deactivate_a_customer_and_the_trail_records_it(client, alice, bob):
    root = superuser_with_mfa(client)
    url = f"/admin/accounts/user/{alice.pk}/change/"
    assert client.post(url, page_data(client.get(url), is_active=None)).status_code == 302
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert not alice.is_active and bob.is_active
    event = only_event("user.changed")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "accounts.user", str(alice.pk))
    assert event.details == {"model": "accounts.user", "fields": ["is_active"]}
    assert_no_personal_data(event, *ALICE)


def test_staff_make_someone_staff_in_a_role_and_the_trail_names_what_changed(client, alice):
    root = superuser_with_mfa(client)
    officers = Group.objects.get(name=PRIVACY_OFFICER)
    url = f"/admin/accounts/user/{alice.pk}/change/"
    data = page_data(client.get(url), is_staff="on", groups=[str(officers.pk)])
    assert client.post(url, data).status_code == 302
    alice.refresh_from_db()
    assert alice.is_staff and list(alice.groups.all()) == [officers]
    event = only_event("user.changed")
    assert (event.actor_id, event.object_id) == (root.pk, str(alice.pk))
    assert event.details == {"model": "accounts.user", "fields": ["groups", "is_staff"]}


def test_staff_change_a_customers_profile_and_the_trail_has_the_field_name_not_the_value(client, alice):
    superuser_with_mfa(client)
    url = f"/admin/accounts/user/{alice.pk}/change/"
    assert client.post(url, page_data(client.get(url), city="Cardiff")).status_code == 302
    event = only_event("user.changed")
    assert event.details == {"model": "accounts.user", "fields": ["city"]}
    assert_no_personal_data(event, "Cardiff", *ALICE)


@pytest.mark.parametrize("usable", [True, False], ids=["set", "disabled"])
def test_staff_set_or_disable_a_password_and_the_trail_records_it_never_the_password(client, alice, usable):
    root = superuser_with_mfa(client)
    url = f"/admin/accounts/user/{alice.pk}/password/"
    if usable:
        data = {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    else:
        data = {"usable_password": "false", "unset-password": "1"}
    assert client.post(url, data).status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD) if usable else not alice.has_usable_password()
    event = only_event("user.password_set" if usable else "user.password_disabled")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "accounts.user", str(alice.pk))
    assert event.details == {}
    assert_no_personal_data(event, NEW_PASSWORD, *ALICE)


def test_staff_invite_a_colleague_to_set_up_mfa_and_the_trail_records_it(client):
    officer = staff_with_mfa(client)
    agent = make_customer("agent@example.com", "Avery Agent", is_staff=True)
    client.post("/admin/accounts/user/", {"action": "invite_to_set_up_mfa", "_selected_action": [agent.pk]})
    event = only_event("staff.mfa_invited")
    assert (event.actor_id, event.object_type) == (officer.pk, "accounts.staffmfainvitation")
    assert event.details == {"user": agent.pk}
    assert_no_personal_data(event, "Avery Agent")


@pytest.mark.parametrize("how", ["page", "action"])
def test_staff_delete_an_account_and_the_trail_records_it(client, alice, bob, how):
    root = superuser_with_mfa(client)
    pk = alice.pk
    delete_in_the_admin(client, alice, how)
    assert not User.objects.filter(pk=pk).exists() and User.objects.filter(pk=bob.pk).exists()
    event = only_event("user.deleted")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "accounts.user", str(pk))
    assert event.details == {"model": "accounts.user", "cascaded": {"account.emailaddress": 1}}
    assert_no_personal_data(event, *ALICE)


# --- Groups ------------------------------------------------------------------------------


def test_staff_add_a_group_and_the_trail_records_it(client):
    root = superuser_with_mfa(client)
    view_trail = Permission.objects.get(codename="view_auditevent")
    data = page_data(client.get("/admin/auth/group/add/"), name="Auditors", permissions=[str(view_trail.pk)])
    pk = added_pk(client.post("/admin/auth/group/add/", data), Group)
    event = only_event("group.created")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "auth.group", pk)
    assert event.details == {"model": "auth.group", "fields": ["name", "permissions"]}


def test_staff_change_a_groups_permissions_and_the_trail_records_it(client):
    root = superuser_with_mfa(client)
    group = Group.objects.create(name="Auditors")
    url = f"/admin/auth/group/{group.pk}/change/"
    view_trail = Permission.objects.get(codename="view_auditevent")
    assert client.post(url, page_data(client.get(url), permissions=[str(view_trail.pk)])).status_code == 302
    assert list(group.permissions.all()) == [view_trail]
    event = only_event("group.changed")
    assert (event.actor_id, event.object_id) == (root.pk, str(group.pk))
    assert event.details == {"model": "auth.group", "fields": ["permissions"]}


@pytest.mark.parametrize("how", ["page", "action"])
def test_staff_delete_a_group_and_the_trail_records_it(client, alice, how):
    root = superuser_with_mfa(client)
    group = Group.objects.create(name="Auditors")
    alice.groups.add(group)
    pk = group.pk
    delete_in_the_admin(client, group, how)
    event = only_event("group.deleted")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "auth.group", str(pk))
    assert event.details == {"model": "auth.group", "cascaded": {"accounts.user_groups": 1}}


# --- E-mail addresses ---------------------------------------------------------------------


def test_staff_add_an_address_and_the_trail_records_it_without_the_address(client, alice):
    root = superuser_with_mfa(client)
    data = page_data(client.get("/admin/account/emailaddress/add/"), user=str(alice.pk), email="a.archer@example.com")
    pk = added_pk(client.post("/admin/account/emailaddress/add/", data), EmailAddress)
    event = only_event("email_address.created")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "account.emailaddress", pk)
    assert event.details == {"model": "account.emailaddress", "fields": ["email", "user"]}
    assert_no_personal_data(event, "archer", *ALICE)


def test_staff_change_an_address_and_the_trail_names_the_field(client, alice):
    root = superuser_with_mfa(client)
    address = EmailAddress.objects.create(user=alice, email="a.archer@example.com", verified=False)
    url = f"/admin/account/emailaddress/{address.pk}/change/"
    assert client.post(url, page_data(client.get(url), verified="on")).status_code == 302
    event = only_event("email_address.changed")
    assert (event.actor_id, event.object_id) == (root.pk, str(address.pk))
    assert event.details == {"model": "account.emailaddress", "fields": ["verified"]}


def test_staff_mark_an_address_verified_and_the_trail_records_it(client, alice):
    root = superuser_with_mfa(client)
    address = EmailAddress.objects.create(user=alice, email="a.archer@example.com", verified=False)
    client.post("/admin/account/emailaddress/", {"action": "make_verified", "_selected_action": [address.pk]})
    address.refresh_from_db()
    assert address.verified
    event = only_event("email_address.verified")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "account.emailaddress", str(address.pk))
    assert event.details == {"user": alice.pk}


@pytest.mark.parametrize("how", ["page", "action"])
def test_staff_delete_an_address_and_the_trail_records_it(client, alice, how):
    root = superuser_with_mfa(client)
    address = EmailAddress.objects.create(user=alice, email="a.archer@example.com", verified=False)
    pk = address.pk
    delete_in_the_admin(client, address, how)
    event = only_event("email_address.deleted")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "account.emailaddress", str(pk))
    assert event.details == {"model": "account.emailaddress", "cascaded": {}}


# --- Second factors and sessions ----------------------------------------------------------


def test_second_factors_and_sessions_are_never_typed_in_the_admin(client, alice):
    superuser_with_mfa(client)
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    authenticator = Authenticator.objects.get(user=alice)
    assert client.get("/admin/mfa/authenticator/add/").status_code == 403
    assert client.post(f"/admin/mfa/authenticator/{authenticator.pk}/change/", {}).status_code == 403
    assert client.get("/admin/usersessions/usersession/add/").status_code == 403


@pytest.mark.parametrize("how", ["page", "action"])
def test_staff_remove_a_colleagues_lost_second_factor_the_trail_records_it_and_the_team_is_told(
    client, how, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_PRIVACY_TEAM_EMAILS = ["privacy-team@example.com"]
    root = superuser_with_mfa(client)
    agent = make_customer("agent@example.com", "Avery Agent", is_staff=True)
    TOTP.activate(agent, DEMO_OFFICER_TOTP_SECRET)
    authenticator = Authenticator.objects.get(user=agent)
    pk = authenticator.pk
    with django_capture_on_commit_callbacks(execute=True):
        delete_in_the_admin(client, authenticator, how)
    assert not Authenticator.objects.filter(pk=pk).exists()
    event = only_event("authenticator.deleted")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "mfa.authenticator", str(pk))
    assert event.details == {"user": agent.pk, "kind": "totp"}
    assert_no_personal_data(event, "Avery Agent")
    (alert,) = sent_emails(mailoutbox, "privacy-team@example.com")
    assert "agent@example.com" in alert.subject


@pytest.mark.parametrize("how", ["page", "action"])
def test_staff_end_a_customers_session_the_browser_is_signed_out_and_the_trail_records_it(client, alice, how):
    root = superuser_with_mfa(client)
    alices_browser = Client()
    sign_in(alices_browser, alice.email, PASSWORD)
    assert alices_browser.get("/my-data/").status_code == 200
    session = UserSession.objects.get(user=alice)
    pk = session.pk
    delete_in_the_admin(client, session, how)
    assert alices_browser.get("/my-data/").status_code == 302  # back to the sign-in page
    event = only_event("user_session.ended")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "usersessions.usersession", str(pk))
    assert event.details == {"user": alice.pk}
    assert_no_personal_data(event, "127.0.0.1", *ALICE)
    assert AuditEvent.objects.filter(action="staff.signed_in", actor_id=root.pk).exists()
