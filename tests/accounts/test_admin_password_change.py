"""Staff change their password on the portal's own page, never on Django's admin form.

The admin's form changed the password with none of what allauth does around it:
no re-authentication first, no security e-mail to the account, and the other
sessions were not signed out.
"""

import pytest
from django.contrib.auth.models import Group

from privacy.models import StaffGuidelines
from privacy.roles import SUPPORT_AGENT
from tests.conftest import PASSWORD, make_customer
from tests.privacy.test_staff_roles import agent_with_mfa


@pytest.fixture(autouse=True)
def guidelines(db):
    return StaffGuidelines.objects.create(version=1, text="A person reviews every contested AI outcome.")


def test_the_admin_password_pages_send_staff_to_the_portals_password_page(client):
    agent_with_mfa(client)
    for url in ("/admin/password_change/", "/admin/password_change/done/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/accounts/password/change/"), url
    # The admin header's "Change password" link leads there too.
    assert 'href="/admin/password_change/"' in client.get("/admin/").content.decode()
    assert client.get("/admin/password_change/", follow=True).redirect_chain[0][0] == "/accounts/password/change/"


def test_a_password_posted_to_the_admin_form_is_not_changed(client):
    agent = agent_with_mfa(client)
    client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "fresh-river-stone-9", "new_password2": "fresh-river-stone-9"},
    )
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)


def test_a_staff_member_without_a_role_is_sent_there_too(client, settings):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    staff = make_customer("staff@example.com", is_staff=True)
    staff.groups.add(Group.objects.get(name=SUPPORT_AGENT))
    client.force_login(staff)
    assert client.get("/admin/password_change/")["Location"] == "/accounts/password/change/"
