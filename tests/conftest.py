import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.test import Client

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


@pytest.fixture(autouse=True, scope="session")
def _the_harness_may_empty_the_audit_trail():
    """Between transactional tests Django empties PostgreSQL with one TRUNCATE
    of every table, and the audit trail refuses TRUNCATE (as it must for the
    portal). The harness is the database's owner: like any owner it may switch
    that trigger off, inside the flush's own transaction, and on again."""
    flush = PostgresOperations.sql_flush

    def sql_flush(self, style, tables, **options):
        statements = flush(self, style, tables, **options)
        if "privacy_auditevent" not in tables:
            return statements
        return [
            "ALTER TABLE privacy_auditevent DISABLE TRIGGER privacy_auditevent_no_truncate;",
            *statements,
            "ALTER TABLE privacy_auditevent ENABLE TRIGGER privacy_auditevent_no_truncate;",
        ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgresOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _audit_checkpoints_of_this_test_only(settings, tmp_path):
    # A checkpoint left by another test would describe another trail.
    settings.STORAGES = {
        **settings.STORAGES,
        "audit_checkpoints": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "audit-checkpoints"), "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits count in the cache; each test starts from zero.
    cache.clear()


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
def client_factory():
    """Another browser: a client with its own cookies."""
    return Client


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in through allauth's form, so it records a fresh authentication."""
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def reauthenticate(client, password: str = PASSWORD):
    """Prove the password again, as allauth asks before a sensitive action."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def age_every_proof(client, seconds: int) -> None:
    """Make every sign-in and re-authentication of this session `seconds` older."""
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - seconds} for record in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()


def sign_in_recently(client, email: str, password: str = PASSWORD):
    sign_in(client, email, password)
    reauthenticate(client, password)


def sent_emails(mailoutbox, to: str):
    return [message for message in mailoutbox if to in message.to]


def pytest_runtest_setup(item):
    """A test marked `postgresql` needs PostgreSQL itself: it fails, never skips,
    when run elsewhere. `make test` starts PostgreSQL for it (tests/with_services.sh);
    runs on SQLite leave it out with `-m "not postgresql"`."""
    if item.get_closest_marker("postgresql") and connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL: run it through `make test` (tests/with_services.sh starts one)", pytrace=False)
