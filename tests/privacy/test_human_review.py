import html
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from interactions.models import Conversation
from privacy import services
from privacy.models import AIOutputFlag, HumanReviewRequest
from tests.factories import AIDecisionFactory, AIInferenceFactory, ConversationFactory, MessageFactory


@pytest.fixture
def alices_ai_conversation(alice):
    return ConversationFactory.create(customer=alice)


def test_alice_asks_a_person_to_review_an_ai_handled_conversation(alice_client, alice, alices_ai_conversation):
    url = f"/human-review/new/interactions.conversation/{alices_ai_conversation.pk}/"
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(url, {"statement": "The bot refused my refund.", "contests_outcome": "on"})
    review = HumanReviewRequest.objects.get()
    assert response["Location"] == f"/human-review/{review.pk}/"
    assert (review.user, review.subject, review.contests_outcome) == (alice, alices_ai_conversation, True)
    assert review.ai_system == alices_ai_conversation.ai_system
    assert review.status == "open"
    assert abs(review.due_at - review.created_at - timedelta(days=14)) < timedelta(seconds=5)
    page = alice_client.get(response["Location"]).content.decode()
    assert "The bot refused my refund." in page and "Waiting for a person" in page


def test_an_inference_can_be_contested(alice_client, alice):
    inference = AIInferenceFactory.create(customer=alice, value="likely to leave")
    response = alice_client.post(
        f"/human-review/new/interactions.aiinference/{inference.pk}/", {"statement": "I am not leaving."}
    )
    assert response.status_code == 302
    assert HumanReviewRequest.objects.get().subject == inference


def test_a_statement_is_required(alice_client, alices_ai_conversation):
    response = alice_client.post(f"/human-review/new/interactions.conversation/{alices_ai_conversation.pk}/", {})
    assert response.status_code == 200
    assert not HumanReviewRequest.objects.exists()


def test_a_conversation_without_ai_cannot_be_sent_for_human_review(alice_client, alice):
    conversation = ConversationFactory.create(customer=alice, handled_by=Conversation.HandledBy.HUMAN, ai_system=None)
    url = f"/human-review/new/interactions.conversation/{conversation.pk}/"
    assert alice_client.get(url).status_code == 404
    assert alice_client.post(url, {"statement": "x"}).status_code == 404


def test_bob_gets_404_for_reviewing_alices_conversation(bob_client, alices_ai_conversation):
    url = f"/human-review/new/interactions.conversation/{alices_ai_conversation.pk}/"
    assert bob_client.get(url).status_code == 404
    assert bob_client.post(url, {"statement": "mine now"}).status_code == 404
    assert not HumanReviewRequest.objects.exists()


def test_bob_gets_404_for_alices_review_and_does_not_see_it_listed(client, alice, bob, alices_ai_conversation):
    review = HumanReviewRequest.objects.create(
        user=alice,
        content_type=ContentType.objects.get_for_model(Conversation),
        object_id=alices_ai_conversation.pk,
        statement="Alice's private words",
        due_at=alices_ai_conversation.started_at,
    )
    client.force_login(bob)
    assert client.get(f"/human-review/{review.pk}/").status_code == 404
    assert "Alice's private words" not in client.get("/human-review/").content.decode()


def test_a_staff_answer_reaches_the_customer_on_the_page_and_by_e_mail(
    alice_client, alice, alices_ai_conversation, mailoutbox, django_capture_on_commit_callbacks, settings
):
    alice_client.post(
        f"/human-review/new/interactions.conversation/{alices_ai_conversation.pk}/", {"statement": "Please check."}
    )
    review = HumanReviewRequest.objects.get()
    from accounts.models import User

    officer = User.objects.create_user(email="officer@example.com", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.human_review_answer(
            review=review, answer="We refunded you in full.", staff_user=officer, result="changed"
        )
    page = alice_client.get(f"/human-review/{review.pk}/").content.decode()
    assert "We refunded you in full." in page and "Answered" in page
    (message,) = mailoutbox
    assert message.to == [alice.email]
    assert f"{settings.PORTAL_URL}/human-review/{review.pk}/" in message.body
    assert "We refunded you in full." not in message.body  # the answer stays in the portal
    assert message.alternatives[0][1] == "text/html"


def test_an_empty_answer_is_refused(alice, alices_ai_conversation):
    review = services.human_review_request(
        user=alice,
        source=_source("interactions.conversation"),
        row=alices_ai_conversation,
        statement="x",
        contests_outcome=False,
    )
    with pytest.raises(ValueError):
        services.human_review_answer(review=review, answer="  ", staff_user=None, result="upheld")


def _source(key):
    from privacy.registry import registry

    return registry.source(key)


def test_alice_flags_an_ai_reply_and_staff_see_it_counted_per_ai_system(alice_client, alice, alices_ai_conversation):
    reply = MessageFactory.create(
        conversation=alices_ai_conversation, sender="ai", ai_system=alices_ai_conversation.ai_system
    )
    response = alice_client.post(
        f"/ai-flags/new/interactions.message/{reply.pk}/", {"reason": "unfair", "comment": "It assumed my age."}
    )
    assert response.status_code == 302
    flag = AIOutputFlag.objects.get()
    assert (flag.user, flag.subject, flag.reason, flag.ai_system) == (alice, reply, "unfair", reply.ai_system)
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    from privacy.models import AISystem

    assert reply.ai_system is not None
    counted = site._registry[AISystem].get_queryset(RequestFactory().get("/admin/")).get(pk=reply.ai_system.pk)
    assert counted._flags == 1


def test_a_customers_own_message_cannot_be_flagged(alice_client, alices_ai_conversation):
    own = MessageFactory.create(conversation=alices_ai_conversation, sender="customer", ai_system=None)
    assert alice_client.get(f"/ai-flags/new/interactions.message/{own.pk}/").status_code == 404


def test_bob_cannot_flag_alices_messages(bob_client, alices_ai_conversation):
    reply = MessageFactory.create(
        conversation=alices_ai_conversation, sender="ai", ai_system=alices_ai_conversation.ai_system
    )
    assert bob_client.post(f"/ai-flags/new/interactions.message/{reply.pk}/", {"reason": "wrong"}).status_code == 404
    assert not AIOutputFlag.objects.exists()


def test_my_data_offers_review_and_flag_only_where_ai_was_involved(alice_client, alice, alices_ai_conversation):
    human = ConversationFactory.create(customer=alice, handled_by=Conversation.HandledBy.HUMAN, ai_system=None)
    html = alice_client.get("/my-data/interactions.conversation/").content.decode()
    assert f"/human-review/new/interactions.conversation/{alices_ai_conversation.pk}/" in html
    assert f"/human-review/new/interactions.conversation/{human.pk}/" not in html
    assert "How we use AI" in html  # the page says AI touched this data


def test_a_review_is_started_then_answered_once(
    alice, alices_ai_conversation, django_capture_on_commit_callbacks, mailoutbox
):
    review = services.human_review_request(
        user=alice,
        source=_source("interactions.conversation"),
        row=alices_ai_conversation,
        statement="x",
        contests_outcome=False,
    )
    assert services.human_review_start(review=review, staff_user=None)
    review.refresh_from_db()
    assert review.get_status_display() == "Being reviewed"
    with django_capture_on_commit_callbacks(execute=True):
        services.human_review_answer(review=review, answer="Done.", staff_user=None, result="upheld")
    with pytest.raises(ValueError, match="answered already"):
        services.human_review_answer(review=review, answer="Again.", staff_user=None, result="upheld")
    review.refresh_from_db()
    assert review.answer == "Done." and len(mailoutbox) == 1


def test_the_database_keeps_one_open_review_per_item(alice, alices_ai_conversation):
    fields = {
        "user": alice,
        "content_type": ContentType.objects.get_for_model(Conversation),
        "object_id": alices_ai_conversation.pk,
        "statement": "Please check.",
        "due_at": timezone.now(),
    }
    first = HumanReviewRequest.objects.create(**fields)
    for status in ("open", "in_review"):
        HumanReviewRequest.objects.filter(pk=first.pk).update(status=status)
        with pytest.raises(IntegrityError), transaction.atomic():
            HumanReviewRequest.objects.create(**fields)
    HumanReviewRequest.objects.filter(pk=first.pk).update(status="answered")
    HumanReviewRequest.objects.create(**fields)  # answered: the same item may be asked about again
    HumanReviewRequest.objects.create(**{**fields, "object_id": ConversationFactory.create(customer=alice).pk})
    assert HumanReviewRequest.objects.filter(user=alice).count() == 3


@pytest.mark.postgresql
def test_two_requests_about_one_item_at_the_same_moment_make_one_review(transactional_db, alice):
    conversation = ConversationFactory.create(customer=alice)

    def ask():
        return services.human_review_request(
            user=alice,
            source=_source("interactions.conversation"),
            row=conversation,
            statement="Is anyone there?",
            contests_outcome=False,
        )

    other: dict[str, HumanReviewRequest] = {}

    def other_tab():
        try:
            other["review"] = ask()
        finally:
            connection.close()  # this thread's own connection

    with transaction.atomic():
        first = ask()  # not committed yet: the other request cannot see it
        thread = threading.Thread(target=other_tab)
        thread.start()
        thread.join(timeout=1)  # the other request makes its review now, or waits for this one to commit
    thread.join()
    assert HumanReviewRequest.objects.filter(object_id=conversation.pk, status="open").count() == 1
    assert other["review"].pk == first.pk


def test_review_requests_are_limited_per_customer_and_a_refused_one_keeps_its_words(
    alice_client, alice, bob, client_factory, settings
):
    settings.PORTAL_HUMAN_REVIEWS_PER_DAY = 2
    conversations = [ConversationFactory.create(customer=alice) for _ in range(3)]
    for conversation in conversations[:2]:
        response = alice_client.post(
            f"/human-review/new/interactions.conversation/{conversation.pk}/", {"statement": "Please check."}
        )
        assert response.status_code == 302
    url = f"/human-review/new/interactions.conversation/{conversations[2].pk}/"
    response = alice_client.post(url, {"statement": "A third <question>, please.", "contests_outcome": "on"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "as many requests for review as we take from one person in a day" in page
    assert "A third &lt;question&gt;, please.</textarea>" in page  # nothing typed is lost
    assert re.search(r'<input type="checkbox" name="contests_outcome"[^>]* checked', page)
    assert not HumanReviewRequest.objects.filter(object_id=conversations[2].pk).exists()
    # Bob's requests are his own: Alice's limit is not his.
    bobs = client_factory()
    bobs.force_login(bob)
    bobs_conversation = ConversationFactory.create(customer=bob)
    response = bobs.post(f"/human-review/new/interactions.conversation/{bobs_conversation.pk}/", {"statement": "Mine."})
    assert response.status_code == 302


# What a review is about, on the page that asks for it and on its own page.


def _chat(customer, *, subject: str, bodies: list[str]):
    """A conversation with these messages, oldest first, a minute apart."""
    conversation = ConversationFactory.create(customer=customer, subject=subject)
    start = timezone.now() - timedelta(days=1)
    for n, body in enumerate(bodies):
        MessageFactory.create(conversation=conversation, body=body, sent_at=start + timedelta(minutes=n))
    return conversation


def test_the_review_form_shows_the_conversation_and_its_last_messages(alice_client, alice):
    conversation = _chat(alice, subject="Discount code not working", bodies=[f"Line {n}" for n in range(1, 8)])
    page = alice_client.get(f"/human-review/new/interactions.conversation/{conversation.pk}/").content.decode()
    assert "Discount code not working" in page
    assert "the last 5 of 7" in page
    shown = re.findall(r"Line \d", page)
    assert shown == ["Line 3", "Line 4", "Line 5", "Line 6", "Line 7"]  # the newest five, in reading order


def test_the_review_form_shows_the_conclusion_and_how_sure_the_ai_was(alice_client, alice):
    inference = AIInferenceFactory.create(customer=alice, kind="churn_risk", value="high", confidence=0.73)
    page = alice_client.get(f"/human-review/new/interactions.aiinference/{inference.pk}/").content.decode()
    assert "Risk of leaving" in page
    assert "73 % sure" in page and "0.73" not in page


def test_the_review_form_shows_the_decision_with_its_outcome_and_reasons(alice_client, alice):
    decision = AIDecisionFactory.create(
        customer=alice, reasons=[{"text": "The parcel was signed for.", "weight": 0.7}], outcome_label="Refund declined"
    )
    page = alice_client.get(f"/human-review/new/interactions.aidecision/{decision.pk}/").content.decode()
    assert "Refund declined" in page and "The parcel was signed for." in page


def test_the_review_page_shows_the_conversation_asked_about_and_its_last_messages(alice_client, alice):
    conversation = _chat(alice, subject="Parcel never arrived", bodies=["Where is my parcel?", "It is on its way."])
    response = alice_client.post(
        f"/human-review/new/interactions.conversation/{conversation.pk}/", {"statement": "The bot was wrong."}
    )
    page = alice_client.get(response["Location"]).content.decode()
    assert "Parcel never arrived" in page
    assert page.index("Where is my parcel?") < page.index("It is on its way.")


def test_bob_never_sees_alices_conversation_on_a_review_page(client, alice, bob):
    alices = _chat(alice, subject="Topic only Alice knows", bodies=["Message only Alice wrote"])
    # A review of Bob's that names Alice's conversation (as if its id were reused): looked up through Bob, it is none.
    bobs = HumanReviewRequest.objects.create(
        user=bob,
        content_type=ContentType.objects.get_for_model(Conversation),
        object_id=alices.pk,
        statement="Mine?",
        due_at=timezone.now() + timedelta(days=14),
    )
    client.force_login(bob)
    page = client.get(f"/human-review/{bobs.pk}/").content.decode()
    assert "only Alice" not in page
    assert "We no longer hold what you asked about." in page
    assert client.get(f"/human-review/new/interactions.conversation/{alices.pk}/").status_code == 404
    client.force_login(alice)
    review = services.human_review_request(
        user=alice, source=_source("interactions.conversation"), row=alices, statement="Mine.", contests_outcome=False
    )
    assert "Message only Alice wrote" in client.get(f"/human-review/{review.pk}/").content.decode()


# Flags: back to the message, marked, once.


def _ai_replies(conversation, count: int, *, sent_at=None):
    at = timezone.now() - timedelta(days=2)
    return [
        MessageFactory.create(
            conversation=conversation,
            sender="ai",
            ai_system=conversation.ai_system,
            body=f"AI reply {n}",
            sent_at=sent_at or at + timedelta(minutes=n),
        )
        for n in range(count)
    ]


def test_after_flagging_alice_returns_to_the_message_on_its_page_and_sees_it_flagged(
    alice_client, alice, alices_ai_conversation
):
    replies = _ai_replies(alices_ai_conversation, 60)  # newest first: 25 a page, the 30th newest is on page 2
    flagged = replies[-30]
    response = alice_client.post(f"/ai-flags/new/interactions.message/{flagged.pk}/", {"reason": "wrong"})
    assert response.status_code == 302
    assert response["Location"] == f"/my-data/interactions.message/?page=2#interactions-message-{flagged.pk}"
    page = alice_client.get(response["Location"]).content.decode()
    row = re.search(rf'<tr id="interactions-message-{flagged.pk}">.*?</tr>', page, re.S)
    assert row is not None and "AI reply 30" in row.group()
    assert "You flagged this" in row.group()
    assert "/ai-flags/new/" not in row.group()
    assert page.count("You flagged this") == 1  # the others can still be flagged
    assert "Thank you — our AI governance team reviews every flag." in page


def test_the_way_back_finds_the_page_of_a_message_sent_in_the_same_second_as_others(
    alice_client, alice, alices_ai_conversation
):
    replies = _ai_replies(alices_ai_conversation, 40, sent_at=timezone.now() - timedelta(hours=1))
    for reply in (replies[0], replies[14], replies[15], replies[39]):
        response = alice_client.post(f"/ai-flags/new/interactions.message/{reply.pk}/", {"reason": "wrong"})
        page = alice_client.get(response["Location"]).content.decode()
        assert f'<tr id="interactions-message-{reply.pk}">' in page


def test_a_message_is_flagged_once_and_a_second_try_says_so(alice_client, alice, alices_ai_conversation):
    reply = _ai_replies(alices_ai_conversation, 1)[0]
    url = f"/ai-flags/new/interactions.message/{reply.pk}/"
    alice_client.post(url, {"reason": "unfair", "comment": "It assumed my age."})
    again = alice_client.post(url, {"reason": "wrong"}, follow=True)
    assert again.status_code == 200
    assert "You flagged this on" in again.content.decode() and "already" in again.content.decode()
    assert list(AIOutputFlag.objects.values_list("reason", flat=True)) == ["unfair"]
    page = alice_client.get(url).content.decode()
    assert "You flagged this" in page and "Unfair or biased" in page
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # nothing to send again


def test_the_service_refuses_a_second_flag_of_the_same_message(alice, alices_ai_conversation):
    reply = _ai_replies(alices_ai_conversation, 1)[0]
    source = _source("interactions.message")
    first = services.ai_output_flag(user=alice, source=source, row=reply, reason="wrong", comment="")
    with pytest.raises(services.AlreadyFlagged) as refused:
        services.ai_output_flag(user=alice, source=source, row=reply, reason="unfair", comment="again")
    assert refused.value.flag == first
    assert AIOutputFlag.objects.count() == 1


def test_the_database_keeps_one_flag_per_message(alice, alices_ai_conversation):
    reply = _ai_replies(alices_ai_conversation, 1)[0]
    fields = {
        "user": alice,
        "content_type": ContentType.objects.get_for_model(reply),
        "object_id": reply.pk,
        "ai_system": reply.ai_system,
    }
    AIOutputFlag.objects.create(reason="wrong", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        AIOutputFlag.objects.create(reason="unfair", **fields)


@pytest.mark.postgresql
def test_two_flags_of_one_message_at_the_same_moment_make_one_and_the_second_is_told(transactional_db, alice):
    conversation = ConversationFactory.create(customer=alice)
    reply = _ai_replies(conversation, 1)[0]
    source = _source("interactions.message")
    other: dict[str, object] = {}

    def other_tab():
        try:
            services.ai_output_flag(user=alice, source=source, row=reply, reason="unfair", comment="")
        except services.AlreadyFlagged as refused:
            other["refused"] = refused.flag
        finally:
            connection.close()  # this thread's own connection

    with transaction.atomic():
        first = services.ai_output_flag(user=alice, source=source, row=reply, reason="wrong", comment="")
        thread = threading.Thread(target=other_tab)
        thread.start()
        thread.join(timeout=1)  # the other insert waits on the unique index until this one commits
    thread.join()
    assert other["refused"] == first
    assert AIOutputFlag.objects.count() == 1


def test_a_spanish_customer_reads_the_flag_reasons_and_her_reviews_status_in_spanish(
    alice_client, alice, bob, alices_ai_conversation
):
    alice.preferred_language = "es"
    alice.save(update_fields=["preferred_language"])
    reply = MessageFactory.create(
        conversation=alices_ai_conversation, sender="ai", ai_system=alices_ai_conversation.ai_system
    )
    form = html.unescape(alice_client.get(f"/ai-flags/new/interactions.message/{reply.pk}/").content.decode())
    for reason in ("Incorrecta o engañosa", "Injusta o sesgada", "Grosera o inapropiada", "Otro motivo"):
        assert reason in form
    assert "Wrong or misleading" not in form
    alice_client.post(
        f"/human-review/new/interactions.conversation/{alices_ai_conversation.pk}/", {"statement": "¿Por qué?"}
    )
    reviews = html.unescape(alice_client.get("/human-review/").content.decode())
    assert "A la espera de una persona" in reviews and "Waiting for a person" not in reviews
    assert not HumanReviewRequest.objects.filter(user=bob).exists()
