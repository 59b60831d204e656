"""The guidelines in the admin: a new version starts from the one in force; a version's page costs a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy import services
from privacy.models import StaffGuidelines
from tests.conftest import make_customer
from tests.privacy.conftest import staff

ADMIN = "/admin/privacy/staffguidelines/"


@pytest.fixture
def officer(db, settings):
    settings.PORTAL_STAFF_REQUIRE_MFA = False  # the MFA gate has tests of its own
    return staff("officer@example.com", "Privacy officer")


def test_a_new_version_starts_from_the_text_in_force(client, officer):
    services.guidelines_publish(
        text="1. Be fair.\n2. Be kind.", translations={"de": "1. Fair sein.\n2. Freundlich sein."}, staff_user=officer
    )
    client.force_login(officer)
    form = client.get(f"{ADMIN}add/").context["adminform"].form
    assert form.initial["text_en"] == "1. Be fair.\n2. Be kind."
    assert form.initial["text_de"] == "1. Fair sein.\n2. Freundlich sein."


def test_a_versions_page_costs_the_same_queries_for_2_and_20_acknowledgements(client, officer):
    guidelines = services.guidelines_publish(text="Be fair.", staff_user=officer)
    client.force_login(officer)

    def queries() -> int:
        client.get(f"{ADMIN}{guidelines.pk}/change/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{ADMIN}{guidelines.pk}/change/").status_code == 200
        return len(captured)

    for n in range(2):
        services.guidelines_acknowledge(guidelines=guidelines, staff_user=make_customer(f"s{n}@example.com"))
    few = queries()
    for n in range(2, 20):
        services.guidelines_acknowledge(guidelines=guidelines, staff_user=make_customer(f"s{n}@example.com"))
    assert queries() == few
    assert StaffGuidelines.objects.get(pk=guidelines.pk).acknowledgements.count() == 20
