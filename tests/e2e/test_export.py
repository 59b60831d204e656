import io
import json
import zipfile

import pytest

from tests.conftest import PASSWORD
from tests.factories import give_history

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def test_alice_requests_an_export_watches_it_finish_on_a_real_worker_and_downloads_it(page, alice, bob, real_worker):
    give_history(alice, marker="Alice-history")
    give_history(bob, marker="Bob-history")
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")
    page.get_by_role("link", name="Get a copy of your data").click()
    page.wait_for_url("**/accounts/reauthenticate/**")  # a sensitive action: the password again
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
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
