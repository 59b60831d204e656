import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from portal.celery import app as celery_app

PASSWORD = "a-long-test-password-42"


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_eagerly():
    # Unit tests run tasks in-process; tests/integration switch this off and
    # use a real worker.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_customer(email: str, full_name: str = "", *, verified: bool = True, **fields) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=full_name, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def alice(db):
    return make_customer("alice@example.com", "Alice Archer", phone="+44 20 7946 0011", city="Bristol")


@pytest.fixture
def bob(db):
    return make_customer("bob@example.com", "Bob Brennan", phone="+353 1 555 0142", city="Dublin")


@pytest.fixture
def charlie(db):
    return make_customer("charlie@example.com", "Charlie Chen")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client
