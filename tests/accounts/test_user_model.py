import pytest
from django.db import IntegrityError

from accounts.models import User


@pytest.mark.django_db
def test_the_e_mail_address_is_the_identifier_and_is_stored_lower_cased():
    user = User.objects.create_user(email="Erin@Example.COM", password="x-long-password-1")
    assert user.email == "erin@example.com"
    assert user.USERNAME_FIELD == "email"
    assert not hasattr(user, "username")


@pytest.mark.django_db
def test_two_accounts_cannot_share_an_address():
    User.objects.create_user(email="erin@example.com")
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="ERIN@example.com")


@pytest.mark.django_db
def test_every_customer_gets_a_distinct_public_id():
    first = User.objects.create_user(email="one@example.com")
    second = User.objects.create_user(email="two@example.com")
    assert first.public_id != second.public_id


def test_the_postal_address_reads_as_one_line():
    user = User(address_line1="12 Harbour Street", postal_code="BS1 4QA", city="Bristol", country="UK")
    assert user.postal_address == "12 Harbour Street, BS1 4QA Bristol, UK"
