"""Erasure leaves no decision or monitoring attribute of the customer; the audits keep aggregates only."""

from django.core.management import call_command

from fairness import services
from fairness.models import FairnessAuditGroup, MonitoringConsent, RecordedAttribute, VolunteeredAttribute
from interactions.models import AIDecision
from privacy import services as privacy_services
from tests.factories import AIDecisionFactory
from tests.fairness.conftest import customers, decide, run_audit


def test_erasure_leaves_no_decision_or_attribute_of_the_customer(
    alice, bob, refund_assistant, django_capture_on_commit_callbacks
):
    for person in (alice, bob):
        AIDecisionFactory.create(customer=person, ai_system=refund_assistant)
        services.recorded_attributes_set(client=None, customer=person, values={"language": "en", "region": "north"})
        services.volunteered_attributes_save(
            customer=person, answers={"gender": "woman", "disability": "yes"}, consent=True, notice_version=1
        )
    with django_capture_on_commit_callbacks(execute=True):
        request = privacy_services.erasure_request_create(user=alice, skip_grace=True)
    request.refresh_from_db()
    assert request.status == "completed"
    for model in (AIDecision, RecordedAttribute, VolunteeredAttribute):
        assert not model.objects.filter(customer_id=alice.pk).exists(), model
        assert model.objects.filter(customer_id=bob.pk).exists(), model  # Bob's stay
    # The proof of consent stays, with no answer in it.
    assert [c.granted for c in MonitoringConsent.objects.filter(customer_id=alice.pk)] == [True]


def test_stored_audits_keep_only_aggregates_after_an_erasure(
    alice, refund_assistant, django_capture_on_commit_callbacks
):
    group = customers(12, recorded={"language": "en"})
    decide([alice, *group], refund_assistant, favourable=30, unfavourable=9)
    services.recorded_attributes_set(client=None, customer=alice, values={"language": "en"})
    audit = run_audit()
    with django_capture_on_commit_callbacks(execute=True):
        privacy_services.erasure_request_create(user=alice, skip_grace=True)
    english = FairnessAuditGroup.objects.get(unit__audit=audit, unit__attribute_set="language", values=["en"])
    assert english.decisions == 39  # the stored aggregate is unchanged, and names nobody
    after = run_audit()
    assert (
        FairnessAuditGroup.objects.get(unit__audit=after, unit__attribute_set="language", values=["en"]).decisions == 36
    )


def test_the_erasure_preview_says_what_happens_to_decisions_and_attributes(client, alice):
    from tests.conftest import sign_in_recently

    sign_in_recently(client, alice.email)
    text = client.get("/requests/erasure/").content.decode()
    assert "Decisions our AI made about you" in text
    assert "What you told us to help check our AI is fair" in text
    assert "Characteristics our systems recorded, for fairness checks" in text


def test_the_registry_check_covers_every_fairness_model(db):
    call_command("check", "--fail-level", "ERROR")
