import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import User
from interactions.models import AIInference, Conversation, Message
from privacy.models import AISystem


@pytest.fixture
def development(settings):
    settings.DEBUG = True  # the test runner turns DEBUG off; seed_demo wants development
    # The fairness population has a test of its own (tests/fairness/test_demo.py): it takes a while.
    settings.PORTAL_DEMO_BACKGROUND_CUSTOMERS = 0


@pytest.mark.django_db
def test_it_creates_verified_demo_customers_and_an_officer_with_mfa(development, capsys):
    call_command("seed_demo")
    assert set(User.objects.values_list("email", flat=True)) == {
        "alice@example.com",
        "bob@example.com",
        "charlie@example.com",
        "officer@example.com",
    }
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 4
    officer = User.objects.get(email="officer@example.com")
    assert officer.is_staff
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    assert User.objects.get(email="alice@example.com").check_password("alice-demo-2026")
    assert "officer-demo-2026" in capsys.readouterr().out


@pytest.mark.django_db
def test_running_it_twice_changes_nothing(development):
    call_command("seed_demo")
    counts = [
        model.objects.count()
        for model in (User, EmailAddress, Authenticator, AISystem, Conversation, Message, AIInference)
    ]
    call_command("seed_demo")
    assert [
        model.objects.count()
        for model in (User, EmailAddress, Authenticator, AISystem, Conversation, Message, AIInference)
    ] == counts
    assert counts[0] == 4


@pytest.mark.django_db
def test_it_seeds_five_ai_systems_and_a_year_of_history_per_customer(development):
    call_command("seed_demo")
    assert set(AISystem.objects.values_list("slug", flat=True)) == {
        "chat-assistant",
        "reply-drafter",
        "intent-analyser",
        "refund-assistant",
        "recommender",
    }
    alice = User.objects.get(email="alice@example.com")
    conversations = Conversation.objects.filter(customer=alice)
    assert conversations.count() >= 24
    assert {c.channel for c in conversations} >= {"chat", "email", "phone"}
    assert {c.handled_by for c in conversations} == {"ai", "human", "ai_then_human"}
    first, last = conversations.order_by("started_at").first(), conversations.order_by("started_at").last()
    assert first is not None and last is not None
    assert (last.started_at - first.started_at).days > 180
    assert Message.objects.filter(conversation__customer=alice, ai_drafted=True).exists()
    assert AIInference.objects.filter(customer=alice).values("kind").distinct().count() >= 3
    officer = User.objects.get(email="officer@example.com")
    assert not Conversation.objects.filter(customer=officer).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("production", "debug"), [(True, False), (False, False)])
def test_it_refuses_to_run_outside_development(settings, production, debug):
    settings.PRODUCTION, settings.DEBUG = production, debug
    with pytest.raises(CommandError, match="development"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_demo_people_joined_before_their_year_of_history_began(development):
    call_command("seed_demo")
    for person in User.objects.all():
        first = Conversation.objects.filter(customer=person).order_by("started_at").first()
        assert (timezone.now() - person.date_joined).days >= 365
        if first is not None:
            assert person.date_joined < first.started_at
