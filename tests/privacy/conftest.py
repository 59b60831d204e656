"""Staff of the privacy desk, as the desk's tests meet them: an officer who decides, an agent who may not."""

import pytest
from django.contrib.auth.models import Group

from tests.conftest import make_customer


def staff(email, group):
    user = make_customer(email, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def officer(db):
    return staff("officer@example.com", "Privacy officer")


@pytest.fixture
def agent(db):
    return staff("agent@example.com", "Support agent")
