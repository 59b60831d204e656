from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import session_activity
from tests.conftest import sign_in


def session_writes(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if q["sql"].startswith("UPDATE") and "usersession" in q["sql"]]


@pytest.fixture
def clock(monkeypatch):
    """The middleware's clock, moved by hand."""
    now = [1_900_000_000]
    monkeypatch.setattr(session_activity, "_now", lambda: now[0])
    return now


def test_a_signed_in_page_writes_the_session_row_once_and_not_again_within_five_minutes(client, alice, clock):
    sign_in(client, alice.email)
    client.get("/dashboard/")
    clock[0] += session_activity.TRACK_EVERY_SECONDS - 1
    with CaptureQueriesContext(connection) as later:
        assert client.get("/dashboard/").status_code == 200
    assert session_writes(later) == []
    # Nor the read that precedes allauth's write (its lookup by session key).
    assert not any('"usersessions_usersession"."session_key" =' in q["sql"] for q in later.captured_queries)


def test_last_seen_is_written_again_after_five_minutes(client, alice, clock):
    sign_in(client, alice.email)
    client.get("/dashboard/")
    row = UserSession.objects.get(user=alice)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=timezone.now() - timedelta(hours=1))
    clock[0] += session_activity.TRACK_EVERY_SECONDS
    with CaptureQueriesContext(connection) as later:
        client.get("/dashboard/")
    assert len(session_writes(later)) == 1
    assert UserSession.objects.get(pk=row.pk).last_seen_at > timezone.now() - timedelta(minutes=1)


def test_a_new_browser_or_address_is_recorded_on_its_very_first_request(client, alice, clock):
    client.defaults["HTTP_USER_AGENT"] = "AlicesLaptopBrowser/1.0"
    sign_in(client, alice.email)
    client.get("/dashboard/")
    client.defaults["HTTP_USER_AGENT"] = "SomeoneElsesBrowser/2.0"
    client.get("/dashboard/")
    assert UserSession.objects.get(user=alice).user_agent == "SomeoneElsesBrowser/2.0"
    client.defaults["REMOTE_ADDR"] = "198.51.100.7"
    client.get("/dashboard/")
    assert UserSession.objects.get(user=alice).ip == "198.51.100.7"


def test_the_session_keeps_a_digest_of_its_client_not_the_address_or_browser(client, alice):
    client.defaults["HTTP_USER_AGENT"] = "AlicesLaptopBrowser/1.0"
    sign_in(client, alice.email)
    client.get("/dashboard/")
    tracked = client.session[session_activity.TRACKED_KEY]
    assert "AlicesLaptopBrowser" not in str(tracked) and "127.0.0.1" not in str(tracked)


def test_alices_pages_never_write_bobs_session_row(client, client_factory, alice, bob, clock):
    bobs_device = client_factory(HTTP_USER_AGENT="BobsPhoneBrowser/7.0")
    sign_in(bobs_device, bob.email)
    bobs_row = UserSession.objects.get(user=bob)
    sign_in(client, alice.email)
    client.defaults["HTTP_USER_AGENT"] = "AlicesLaptopBrowser/1.0"
    clock[0] += session_activity.TRACK_EVERY_SECONDS * 2
    client.get("/dashboard/")
    assert UserSession.objects.get(pk=bobs_row.pk).last_seen_at == bobs_row.last_seen_at
    assert UserSession.objects.get(pk=bobs_row.pk).user_agent == "BobsPhoneBrowser/7.0"
