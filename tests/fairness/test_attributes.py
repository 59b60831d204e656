"""The monitoring attributes' words: in the reader's language, over codes that never change."""

from fairness.attributes import ATTRIBUTES
from fairness.models import RecordedAttribute
from tests.conftest import make_customer
from tests.fairness.test_panels import text_of


def test_a_german_customer_reads_their_recorded_region_in_german_on_my_data(client, db):
    dora = make_customer("dora@example.com", preferred_language="de")
    erin = make_customer("erin@example.com", preferred_language="en")
    RecordedAttribute.objects.create(customer=dora, attribute="region", value="north")
    RecordedAttribute.objects.create(customer=erin, attribute="region", value="west")
    client.force_login(dora)
    text = text_of(client.get("/my-data/"))
    assert "Merkmal Region Wert Nord" in text and "North" not in text
    assert "West" not in text  # the other customer's region is not on the page
    client.force_login(erin)
    assert "Characteristic Region Value West" in text_of(client.get("/my-data/"))
    assert RecordedAttribute.objects.get(customer=dora).value == "north"


def test_a_region_code_with_no_known_words_is_still_accepted_and_shown_as_written(db):
    region = ATTRIBUTES["region"]
    assert region.clean("north_east") == "north_east"
    assert region.value_label("north_east") == "North East"
