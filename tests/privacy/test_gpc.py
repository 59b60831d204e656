from django.test import Client

from privacy.models import ConsentEvent
from privacy.selectors import ai_permissions


def state(user) -> dict[str, tuple[bool, str]]:
    return {p.purpose.slug: (p.allowed, p.reason) for p in ai_permissions(user=user)}


def gpc_browser(user) -> Client:
    browser = Client(HTTP_SEC_GPC="1")
    browser.force_login(user)
    return browser


def test_a_signed_in_request_with_the_signal_switches_off_the_gpc_purposes(alice):
    gpc_browser(alice).get("/dashboard/")
    permissions = state(alice)
    assert permissions["personalised-recommendations"] == (False, "gpc")
    assert permissions["ai-chat-assistant"] == (True, "default")  # the signal does not apply to it
    events = ConsentEvent.objects.filter(user=alice, method="gpc")
    assert [e.purpose.slug for e in events] == ["personalised-recommendations"]  # ai-training was off already


def test_an_earlier_opt_in_gives_way_to_the_signal(alice_client, alice):
    alice_client.post("/preferences/ai-training/", {"allowed": "true", "notice_version": 1})
    gpc_browser(alice).get("/dashboard/")
    assert state(alice)["ai-training"] == (False, "gpc")


def test_an_explicit_opt_in_after_the_signal_wins(alice):
    browser = gpc_browser(alice)
    browser.get("/dashboard/")
    browser.post("/preferences/personalised-recommendations/", {"allowed": "true", "notice_version": 1})
    assert state(alice)["personalised-recommendations"] == (True, "choice")
    gpc_browser(alice).get("/dashboard/")  # a later session still sends the signal
    assert state(alice)["personalised-recommendations"] == (True, "choice")


def test_the_preferences_page_names_the_browser_signal(alice):
    html = gpc_browser(alice).get("/preferences/").content.decode()
    assert "Your browser's privacy signal" in html


def test_without_the_signal_nothing_changes(alice_client, alice):
    alice_client.get("/dashboard/")
    assert not ConsentEvent.objects.filter(user=alice).exists()


def test_the_signal_of_an_anonymous_visitor_changes_nothing(db):
    Client(HTTP_SEC_GPC="1").get("/")
    assert not ConsentEvent.objects.exists()


def test_bobs_signal_changes_only_bobs_choices(alice, bob):
    gpc_browser(bob).get("/dashboard/")
    assert state(alice)["personalised-recommendations"] == (True, "default")


def test_the_well_known_gpc_file_is_served(client, db):
    response = client.get("/.well-known/gpc.json")
    assert response.status_code == 200
    assert response.json()["gpc"] is True


def test_the_well_known_gpc_file_answers_head_with_the_same_headers_and_no_body(client, db):
    get, head = client.get("/.well-known/gpc.json"), client.head("/.well-known/gpc.json")
    assert head.status_code == 200
    assert head.content == b""
    for header in ("Content-Type", "Cache-Control"):
        assert head[header] == get[header], header
