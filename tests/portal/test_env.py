import pytest

from portal.env import EnvError, env_bool, env_database, env_int, env_list, env_secret, env_url


def test_a_boolean_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("yes", True), ("On", True), ("0", False), ("false", False), ("OFF", False)]:
        monkeypatch.setenv("FLAG", raw)
        assert env_bool("FLAG", not expected) is expected


def test_a_blank_boolean_means_the_default_not_off(monkeypatch):
    monkeypatch.setenv("STAFF_REQUIRE_MFA", " ")
    assert env_bool("STAFF_REQUIRE_MFA", True) is True


def test_a_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(EnvError, match="FLAG"):
        env_bool("FLAG", False)


def test_a_bad_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("WORKERS", "two")
    with pytest.raises(EnvError, match="WORKERS must be a whole number"):
        env_int("WORKERS", 1)


def test_a_number_below_its_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("WORKERS", "0")
    with pytest.raises(EnvError, match="WORKERS must be at least 1"):
        env_int("WORKERS", 1, minimum=1)


def test_a_list_is_split_on_commas_and_trimmed(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cr3t\n")
    monkeypatch.delenv("API_SECRET", raising=False)
    monkeypatch.setenv("API_SECRET_FILE", str(secret_file))
    assert env_secret("API_SECRET") == "s3cr3t"


def test_a_secret_file_that_cannot_be_read_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("API_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(EnvError, match="API_SECRET_FILE"):
        env_secret("API_SECRET")


def test_a_secret_given_twice_is_refused(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("one")
    monkeypatch.setenv("API_SECRET", "two")
    monkeypatch.setenv("API_SECRET_FILE", str(secret_file))
    with pytest.raises(EnvError, match="either API_SECRET or API_SECRET_FILE"):
        env_secret("API_SECRET")


def test_a_url_with_the_wrong_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "amqp://localhost")
    with pytest.raises(EnvError, match="CELERY_BROKER_URL must be a URL starting with one of redis://"):
        env_url("CELERY_BROKER_URL", "", schemes=("redis",))


def test_an_empty_url_is_refused(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "")
    with pytest.raises(EnvError, match="CELERY_BROKER_URL must not be empty"):
        env_url("CELERY_BROKER_URL", "redis://x", schemes=("redis",))


def test_a_postgres_url_becomes_a_django_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://portal:pw@db.internal:5433/portal")
    config = env_database("DATABASE_URL", "sqlite:///x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "portal")


def test_nonsense_as_a_database_url_names_the_variable(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "nonsense")
    with pytest.raises(EnvError, match="DATABASE_URL"):
        env_database("DATABASE_URL", "sqlite:///x")
