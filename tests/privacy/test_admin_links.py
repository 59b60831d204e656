"""Links to admin pages appear only for staff who may open them (privacy/admin/links.py)."""

import re
from pathlib import Path

import django
from django.contrib.auth.models import Group
from django.http import HttpResponseBase
from django.test import RequestFactory

from accounts.models import User
from privacy.admin.links import admin_link, admin_url
from privacy.models import AISystem, HumanReviewRequest
from privacy.roles import PRIVACY_OFFICER, SUPPORT_AGENT
from tests.conftest import make_customer
from tests.factories import AISystemFactory
from tests.privacy.test_staff_roles import WHAT_THE_WORK_NEEDS, admin_urls, agent_with_mfa, visit
from tests.privacy.test_staff_roles import desk as desk

PROJECT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DJANGO_TEMPLATES = Path(django.__file__).parent / "contrib" / "admin" / "templates"
ADMIN_LINK = re.compile(r'href="(/admin/[^"#?]*)')


def viewer(role: str) -> User:
    user = make_customer(f"{role.replace(' ', '-').lower()}@example.com", f"{role} Person", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)  # a fresh row: no permission cache from before the group


def request_by(user: User):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_a_page_is_linked_only_for_a_viewer_who_may_open_it(db, alice):
    officer, agent = viewer(PRIVACY_OFFICER), viewer(SUPPORT_AGENT)
    assert admin_url(request_by(officer), User, alice.pk) == f"/admin/accounts/user/{alice.pk}/change/"
    assert admin_url(request_by(agent), User, alice.pk) is None
    assert str(admin_link(request_by(agent), User, alice.pk, "Alice <a>")) == "Alice &lt;a&gt;"
    system = AISystemFactory.create()
    assert admin_url(request_by(agent), AISystem, system.pk) == f"/admin/privacy/aisystem/{system.pk}/change/"


def test_a_model_without_an_admin_page_is_never_linked(db):
    officer = viewer(PRIVACY_OFFICER)
    assert admin_url(request_by(officer), Group, 1) is None  # Group is not registered in the portal's admin


def test_the_review_page_names_the_customer_without_linking_an_agent_to_their_account(client, desk):
    agent_with_mfa(client)
    review = desk.reviews[0]
    page = client.get(f"/admin/privacy/humanreviewrequest/{review.pk}/change/").content.decode()
    assert review.user.email in page  # who asked is shown...
    assert f"/admin/accounts/user/{review.user_id}/change/" not in page  # ...as text, not a link that answers 403
    assert f"/admin/privacy/aisystem/{review.ai_system_id}/change/" in page  # an AI system card they may read


def test_the_officer_still_follows_a_review_to_the_customers_account(client, desk, settings):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    client.force_login(desk.officer)
    review = desk.reviews[0]
    page = client.get(f"/admin/privacy/humanreviewrequest/{review.pk}/change/").content.decode()
    assert f"/admin/accounts/user/{review.user_id}/change/" in page


def test_no_page_a_support_agent_sees_links_to_an_admin_page_they_may_not_open(client, desk):
    """Every admin link on every admin page the agent reaches leads to a page, never a refusal.

    The pages the agent reaches are exactly WHAT_THE_WORK_NEEDS: the walk of every
    admin URL in test_staff_roles.py fails if any other page answers the agent. So
    only those pages are opened here (each must answer), not the hundred-odd
    refusals again, and no page is loaded twice.
    """
    agent_with_mfa(client)
    HumanReviewRequest.objects.filter(pk=desk.reviews[0].pk).update(answered_by=desk.officer)
    dead: set[str] = set()
    linked: set[str] = set()
    answered: dict[str, HttpResponseBase] = {}
    reached = [(label, url) for label, url in admin_urls() if label in WHAT_THE_WORK_NEEDS]
    assert {label for label, _ in reached} == WHAT_THE_WORK_NEEDS
    for label, url in reached:
        response = visit(client, url, answered=answered)
        assert response.status_code == 200, f"{label} {url} -> {response.status_code}"
        if "html" not in response.get("Content-Type", ""):
            continue
        for link in set(ADMIN_LINK.findall(response.content.decode())):
            if link.startswith(("/admin/logout/", "/admin/jsi18n/")):
                continue
            linked.add(link)
            status = visit(client, link, answered=answered).status_code
            if status != 200:
                dead.add(f"{label} links to {link} ({status})")
    assert linked  # the walk found links
    assert not dead, "\n".join(sorted(dead))


def test_the_admin_templates_the_portal_overrides_differ_from_djangos_only_in_the_read_only_value():
    """The copies track Django's own: after a Django upgrade that changes them, copy them again."""
    for name in ("admin/includes/fieldset.html", "admin/edit_inline/tabular.html"):
        ours = (PROJECT_TEMPLATES / name).read_text().split("\n", 1)
        assert ours[0].startswith("{% load admin_links %}"), name
        restored = ours[1].replace("{% readonly_contents field %}", "{{ field.contents }}")
        assert restored == (DJANGO_TEMPLATES / name).read_text(), f"templates/{name} no longer matches Django's"
        assert "{% readonly_contents field %}" in ours[1]
