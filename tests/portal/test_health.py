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
        {"data_folder_in": str(tmp_path / "gone"), "data_folder_out": str(tmp_path / "gone")},
    )
    response = client.get("/healthz")
    assert response.json()["broker"] == "unreachable"
