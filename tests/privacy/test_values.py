"""How a declared value reads: the same words on "My data", in the export report and wherever else it is shown."""

from allauth.account.models import EmailAddress
from django.utils import translation

from interactions.models import AIInference
from privacy.registry import registry
from privacy.values import display_confidence, display_value, readable_code
from tests.factories import AIInferenceFactory


def shown(row, source_key: str, field_name: str) -> str:
    source = registry.source(source_key)
    return display_value(row, source, next(f for f in source.fields if f.name == field_name))


def test_yes_and_no_are_in_the_customers_language(alice):
    address = EmailAddress.objects.get(user=alice)
    assert shown(address, "account.emailaddress", "verified") == "Yes"
    with translation.override("de"):
        assert shown(address, "account.emailaddress", "verified") == "Ja"
    address.primary = False
    with translation.override("es"):
        assert shown(address, "account.emailaddress", "primary") == "No"
    with translation.override("fr"):
        assert shown(address, "account.emailaddress", "primary") == "Non"


def test_an_ai_conclusion_reads_in_words_and_an_unknown_code_still_reads_well(alice, bob):
    known = AIInferenceFactory.create(customer=alice, kind=AIInference.Kind.INTENT, value="promo_issue")
    unknown = AIInferenceFactory.create(customer=bob, kind=AIInference.Kind.INTENT, value="late_delivery_claim")
    written = AIInferenceFactory.create(customer=bob, kind=AIInference.Kind.SEGMENT, value="Weekend shopper")
    assert shown(known, "interactions.aiinference", "value") == "Problem with a promotion"
    assert shown(unknown, "interactions.aiinference", "value") == "Late delivery claim"
    assert shown(written, "interactions.aiinference", "value") == "Weekend shopper"  # already words: left alone
    assert str(known) == "Intent: Problem with a promotion"


def test_a_code_becomes_words():
    assert readable_code("promo_issue") == "Promo issue"
    assert readable_code("churn-risk") == "Churn risk"
    assert readable_code("loyal regular") == "Loyal regular"
    assert readable_code("iPhone owner") == "iPhone owner"
    assert readable_code("") == ""


def test_how_sure_an_ai_was_reads_as_a_percentage():
    assert display_confidence(0.73) == "73 % sure"
    assert display_confidence(1) == "100 % sure"
    assert display_confidence(0.125) == "13 % sure"
    assert display_confidence(0) == "0 % sure"
    assert display_confidence(None) == ""
