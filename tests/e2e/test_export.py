import io
import json
import zipfile

import pytest
from allauth.usersessions.models import UserSession

from privacy.exporting import build_archive
from tests.conftest import PASSWORD
from tests.factories import AIDecisionFactory, give_history

pytestmark = pytest.mark.e2e


@pytest.mark.integration
def test_alice_requests_an_export_watches_it_finish_on_a_real_worker_and_downloads_it(page, alice, bob, real_worker):
    give_history(alice, marker="Alice-history")
    give_history(bob, marker="Bob-history")
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    # Just signed in: that is recent authentication, so no password again.
    page.get_by_role("link", name="Get a copy of your data").click()
    page.wait_for_url("**/requests/export/")
    page.get_by_role("button", name="Build my archive").click()
    page.wait_for_url("**/requests/*/")
    # htmx polls the progress until the worker is done; no reload needed.
    download_link = page.get_by_role("link", name="Download your data")
    download_link.wait_for(timeout=60_000)
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("my-data-") and download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert data["subject"]["customer_id"] == str(alice.public_id)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Alice-history" in everything and b"Bob-history" not in everything
    assert page.recorder.console_errors == []


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_the_unzipped_report_fits_its_window_on_a_laptop_and_a_phone(browser, alice, viewport, tmp_path):
    """index.html opened from the unzipped archive, as a customer would: no page wider than its window."""
    give_history(alice, marker="Alice-history")
    # Long unbroken values (a browser's user agent, addresses, IDs) and the widest tables, too.
    alice.full_name = "Alice " + "Archer-" * 27
    alice.save(update_fields=["full_name"])
    AIDecisionFactory.create(customer=alice)
    UserSession.objects.create(user=alice, ip="2001:db8::1", session_key="e2e-session", user_agent="Mozilla/5.0" * 18)
    build_archive(user=alice, portal_name="Example Portal", target=tmp_path / "archive.zip")
    zipfile.ZipFile(tmp_path / "archive.zip").extractall(tmp_path / "unzipped")
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((tmp_path / "unzipped" / "index.html").as_uri())
    assert page.get_by_role("heading", name="Messages in your conversations").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")
    page.screenshot(path=str(tmp_path / f"report-{viewport['width']}.png"), full_page=True)
    assert all(url.startswith("file://") for url in requests)  # the page loads nothing from anywhere
    context.close()
