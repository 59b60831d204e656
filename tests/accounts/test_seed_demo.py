import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from accounts.models import User


@pytest.mark.django_db
def test_it_creates_verified_demo_customers_and_an_officer_with_mfa(capsys):
    call_command("seed_demo")
    assert set(User.objects.values_list("email", flat=True)) == {
        "alice@example.com", "bob@example.com", "charlie@example.com", "officer@example.com",
    }
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 4
    officer = User.objects.get(email="officer@example.com")
    assert officer.is_staff
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    assert User.objects.get(email="alice@example.com").check_password("alice-demo-2026")
    assert "officer-demo-2026" in capsys.readouterr().out


@pytest.mark.django_db
def test_running_it_twice_changes_nothing():
    call_command("seed_demo")
    call_command("seed_demo")
    assert User.objects.count() == 4
    assert EmailAddress.objects.count() == 4
    assert Authenticator.objects.filter(type=Authenticator.Type.TOTP).count() == 1


@pytest.mark.django_db
def test_it_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    assert not User.objects.exists()
