from django.contrib.contenttypes.models import ContentType

from interactions.models import Conversation
from privacy.models import HumanReviewRequest
from tests.conftest import make_customer
from tests.factories import ConversationFactory


def test_staff_answer_a_review_in_the_admin_and_the_customer_is_e_mailed(
    client, alice, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_STAFF_REQUIRE_MFA = False
    officer = make_customer("officer@example.com", is_staff=True, is_superuser=True)
    conversation = ConversationFactory.create(customer=alice)
    review = HumanReviewRequest.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(Conversation),
        object_id=conversation.pk,
        ai_system=conversation.ai_system,
        statement="Please check.",
        due_at=conversation.started_at,
    )
    client.force_login(officer)
    url = f"/admin/privacy/humanreviewrequest/{review.pk}/change/"
    assert "Please check." in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"result": "changed", "answer": "A person looked: you were right."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.result, review.answer, review.answered_by) == (
        "answered",
        "changed",
        "A person looked: you were right.",
        officer,
    )
    assert [m.to for m in mailoutbox] == [[alice.email]]


def test_staff_change_a_contested_decision_in_the_admin_naming_the_new_outcome(
    client, alice, settings, django_capture_on_commit_callbacks
):
    from interactions.models import AIDecision
    from tests.factories import AIDecisionFactory

    settings.PORTAL_STAFF_REQUIRE_MFA = False
    officer = make_customer("officer@example.com", is_staff=True, is_superuser=True)
    decision = AIDecisionFactory.create(customer=alice)
    review = HumanReviewRequest.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(AIDecision),
        object_id=decision.pk,
        ai_system=decision.ai_system,
        statement="",
        contests_outcome=True,
        due_at=decision.decided_at,
    )
    client.force_login(officer)
    url = f"/admin/privacy/humanreviewrequest/{review.pk}/change/"
    form = client.get(url).content.decode()
    assert "Refund declined" in form and "New outcome" in form  # the decision itself is shown
    refused = client.post(url, {"result": "changed", "answer": "Refunded.", "new_outcome": ""})
    assert refused.status_code == 200 and "Say what the outcome becomes." in refused.content.decode()
    assert "Say it in the customer&#x27;s words" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "result": "changed",
                "answer": "Refunded.",
                "new_outcome": "favourable",
                "new_outcome_label": "Refund approved",
            },
        )
    decision.refresh_from_db()
    assert (decision.review_result, decision.final_outcome, decision.final_outcome_label) == (
        "changed",
        "favourable",
        "Refund approved",
    )


def test_an_answer_refused_for_unacknowledged_guidelines_is_kept_in_the_form(client, alice, settings):
    from privacy.models import StaffGuidelines

    settings.PORTAL_STAFF_REQUIRE_MFA = False
    officer = make_customer("officer@example.com", is_staff=True, is_superuser=True)
    StaffGuidelines.objects.create(version=1, text="A person reviews every contested AI outcome.")
    conversation = ConversationFactory.create(customer=alice)
    review = HumanReviewRequest.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(Conversation),
        object_id=conversation.pk,
        ai_system=conversation.ai_system,
        statement="Please check.",
        due_at=conversation.started_at,
    )
    client.force_login(officer)
    url = f"/admin/privacy/humanreviewrequest/{review.pk}/change/"
    warned = client.get(url, follow=True).content.decode()
    assert "Before answering, read and acknowledge" in warned
    response = client.post(url, {"result": "upheld", "answer": "My carefully written answer."})
    page = response.content.decode()
    assert response.status_code == 200  # the form again, not a redirect claiming success
    assert "My carefully written answer." in page and "acknowledge the current AI ethics" in page
    assert "was changed successfully" not in page
    review.refresh_from_db()
    assert review.status == "open"
