from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from accounts.demo import DEMO_OFFICER_TOTP_SECRET
from privacy.models import ExportArchive, PrivacyRequest


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/")


def test_it_shows_the_customer_their_account(alice_client, alice):
    html = alice_client.get("/dashboard/").content.decode()
    assert "Alice Archer" in html
    assert "alice@example.com" in html
    assert "verified" in html


def test_it_shows_that_two_factor_authentication_is_off(alice_client):
    html = alice_client.get("/dashboard/").content.decode()
    assert "We recommend turning it on" in html


def test_it_shows_that_two_factor_authentication_is_on(alice_client, alice):
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    assert Authenticator.objects.filter(user=alice).exists()
    html = alice_client.get("/dashboard/").content.decode()
    assert "authenticator app" in html
    assert "We recommend turning it on" not in html


def test_bob_sees_his_own_account_and_nothing_of_alices(bob_client, alice):
    html = bob_client.get("/dashboard/").content.decode()
    assert "Bob Brennan" in html
    assert "Alice" not in html and "alice@example.com" not in html


def _request(user, kind, status, **fields):
    now = timezone.now()
    return PrivacyRequest.objects.create(
        user=user, kind=kind, status=status, subject_ref=f"ref-{user.pk}", due_at=now + timedelta(days=30), **fields
    )


def test_a_scheduled_erasure_is_shown_first_with_the_way_to_cancel_it(alice_client, alice, bob, client_factory):
    erasure = _request(alice, "erasure", "scheduled", scheduled_for=timezone.now() + timedelta(days=2))
    html = alice_client.get("/dashboard/").content.decode()
    assert "Your data is to be erased" in html
    assert "See the request or cancel it" in html
    assert f'href="/requests/{erasure.pk}/"' in html
    # Bob's dashboard says nothing of Alice's erasure.
    bob_client = client_factory()
    bob_client.force_login(bob)
    assert "Your data is to be erased" not in bob_client.get("/dashboard/").content.decode()


def test_a_ready_export_is_shown_with_its_download_and_an_expired_one_is_not(alice_client, alice):
    export = _request(alice, "export", "completed")
    archive = ExportArchive.objects.create(
        request=export, storage_name="x.zip", size=2048, sha256="0" * 64, expires_at=timezone.now() + timedelta(days=3)
    )
    html = alice_client.get("/dashboard/").content.decode()
    assert "Your copy of your data is ready" in html
    assert "2.0\xa0KB" in html
    assert f'href="/requests/{export.pk}/"' in html
    archive.expires_at = timezone.now() - timedelta(minutes=1)
    archive.save()
    assert "Your copy of your data is ready" not in alice_client.get("/dashboard/").content.decode()


def test_an_export_being_built_is_mentioned_until_it_is_ready(alice_client, alice):
    _request(alice, "export", "processing")
    assert "We are preparing a copy of your data" in alice_client.get("/dashboard/").content.decode()


def test_a_finished_or_cancelled_erasure_is_not_shown(alice_client, alice):
    _request(alice, "erasure", "cancelled")
    assert "Your data is to be erased" not in alice_client.get("/dashboard/").content.decode()
