import pytest
from django.db import OperationalError

from portal import health
from portal.celery import app as celery_app


def point_broker_at(monkeypatch, url: str) -> None:
    # Celery resolves the write URL from either setting; set both.
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setitem(celery_app.conf, "broker_write_url", url)


@pytest.mark.django_db
def test_it_answers_200_when_the_database_and_broker_are_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_503_naming_the_broker_when_it_is_unreachable(client, monkeypatch):
    # Port 9 (discard) on loopback: nothing listens there.
    point_broker_at(monkeypatch, "redis://127.0.0.1:9/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unreachable"}


@pytest.mark.django_db
def test_it_answers_503_naming_the_database_when_it_is_unreachable(client, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "unreachable", "broker": "ok"}


@pytest.mark.django_db
def test_a_folder_broker_whose_folder_is_gone_is_unreachable(client, monkeypatch, tmp_path):
    point_broker_at(monkeypatch, "filesystem://")
    monkeypatch.setitem(
        celery_app.conf,
        "broker_transport_options",
        # control_folder too: kombu's default is a folder in the working directory.
        {
            "data_folder_in": str(tmp_path / "gone"),
            "data_folder_out": str(tmp_path / "gone"),
            "control_folder": str(tmp_path / "control"),
        },
    )
    response = client.get("/healthz")
    assert response.json()["broker"] == "unreachable"


@pytest.fixture
def exports_folder(settings, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }
    return folder


@pytest.mark.django_db
def test_readyz_answers_200_when_the_database_broker_cache_and_storage_answer(client, exports_folder):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "cache": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_storage_when_its_folder_is_gone(client, exports_folder):
    exports_folder.rmdir()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "ok", "cache": "ok", "storage": "unreachable"}


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_cache_when_it_is_unreachable(client, exports_folder, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unreachable"


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_broker_when_it_is_unreachable(client, exports_folder, monkeypatch):
    point_broker_at(monkeypatch, "redis://127.0.0.1:9/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"
