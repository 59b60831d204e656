"""Debian's Chromium, driven by Playwright, against Django's live_server."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.workers import real_worker  # noqa: F401 - the fixture

CHROMIUM = "/usr/bin/chromium"
# Headless, and quiet: no background calls to Google's services, which this
# machine's closed network would refuse (and which a privacy portal's test
# should not make anyway).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageRecorder:
    """Remembers every request and console error a page made."""

    def __init__(self, page, origin: str):
        self.page = page
        self.origin = origin
        self.request_urls: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", lambda request: self.request_urls.append(request.url))
        page.on("console", self._record_console_error)

    def _record_console_error(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def foreign_requests(self) -> list[str]:
        own = urlsplit(self.origin).netloc
        return [url for url in self.request_urls if not url.startswith("data:") and urlsplit(url).netloc != own]


@pytest.fixture
def page(browser, live_server, settings):
    # Links in e-mails are built from PORTAL_URL, never from the request, so
    # the portal's address here is the live server's.
    settings.PORTAL_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.recorder = PageRecorder(page, live_server.url)
    yield page
    context.close()
