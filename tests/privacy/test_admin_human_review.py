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
    conversation = ConversationFactory(customer=alice)
    review = HumanReviewRequest.objects.create(
        user=alice, content_type=ContentType.objects.get_for_model(Conversation), object_id=conversation.pk,
        ai_system=conversation.ai_system, statement="Please check.", due_at=conversation.started_at,
    )
    client.force_login(officer)
    url = f"/admin/privacy/humanreviewrequest/{review.pk}/change/"
    assert "Please check." in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"result": "changed", "answer": "A person looked: you were right."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.result, review.answer, review.answered_by) == (
        "answered", "changed", "A person looked: you were right.", officer
    )
    assert [m.to for m in mailoutbox] == [[alice.email]]
