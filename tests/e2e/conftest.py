"""Debian's Chromium, driven by Playwright, against Django's live_server.

Every page a test's `page` visits is checked with axe-core for WCAG 2.1 A and AA
violations; a test whose pages have any fails, listing them (see AxeAudit).
"""

import contextlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
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

# Vendored from npm (see its README); a test tool, never served to customers.
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
# The portal promises WCAG 2.1 AA, which includes A (and 2.0's rules).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Colours caught halfway through a CSS transition (a button restyled as it is
# pressed) are not the page's colours: axe waits for running transitions, two
# seconds at most.
AXE_RUN = """(tags) => Promise.race([
    Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => null))),
    new Promise((resolve) => setTimeout(resolve, 2000)),
]).then(() => axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
})).then((results) => results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact || "",
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
})))"""
# Run in every document the page opens, before the portal's own scripts: each
# top-level web page tells the test it exists, runs axe once it has loaded, and
# reports what axe found (or that it is not HTML) through a binding.
AXE_REPORTER = f"""(() => {{
    if (window.top !== window || !/^https?:$/.test(location.protocol)) return;
    const report = window.__portalAxeReport;
    const documentId = Math.random().toString(36).slice(2);
    report(documentId, "started", location.href, null);
    window.addEventListener("load", () => {{
        if (document.contentType !== "text/html") {{
            report(documentId, "skipped", location.href, null);
            return;
        }}
        ({AXE_RUN})({json.dumps(AXE_TAGS)}).then(
            (violations) => report(documentId, "checked", location.href, violations),
            (error) => report(documentId, "failed", location.href, String(error)),
        );
    }});
}})();"""
# How long a navigation may wait for axe to finish on the page it leaves.
AXE_TIMEOUT_SECONDS = 15

# Pages that are not the portal's own: the API's documentation is Swagger UI,
# drawn by drf-spectacular's bundled scripts, for developers rather than customers
# (axe finds contrast and nested-control problems inside Swagger UI itself).
NOT_AXE_CHECKED = ("/api/docs/",)


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]
    url: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}) on {self.url}: {self.help} — {', '.join(self.targets)}"


@dataclass
class DocumentAudit:
    url: str
    violations: list[Violation] | None = None  # None until axe has reported
    failure: str = ""
    claimed: bool = False  # a test asked for it with check() and asserts on it itself


class AxeAudit:
    """axe-core checks every web page a test's page loads; the test fails on any violation.

    axe runs inside each document once it has loaded (injected before any of the
    portal's scripts, as Playwright injects init scripts; the DevTools protocol is
    not governed by the portal's CSP, so the CSP stays in force and its breaches
    still show in the console). Before the page navigates away, the browser holds
    the navigation's request until the page it leaves has loaded and axe has
    reported on it, so a quick test cannot outrun the check; the last page is
    awaited when the test ends.
    """

    def __init__(self, page):
        self.page = page
        self.documents: dict[str, DocumentAudit] = {}
        # Loads the page announced, and axe's reports on them: a report may come
        # before or after its page's load event, so they are counted, not paired.
        self.loads = 0
        self.reports: list[str] = []
        page.on("load", self._loaded)
        page.expose_function("__portalAxeReport", self._reported)
        page.add_init_script(AXE_SOURCE + "\n" + AXE_REPORTER)
        # Static files never replace the document: they need not pass the handler.
        page.route(lambda url: "/static/" not in url, self._before_request)

    def _loaded(self, _page) -> None:
        if self.page.url.startswith(("http://", "https://")):  # as AXE_REPORTER
            self.loads += 1

    def _reported(self, document_id: str, state: str, url: str, found) -> None:
        if state == "started":
            # A page shows one document at a time: one still waiting for axe is gone
            # (left without a request the handler saw, such as a step back in history).
            for document in self.pending():
                document.failure, document.violations = f"{document.url} was left before axe could check it", []
            self.documents[document_id] = DocumentAudit(url=url)
            return
        document = self.documents.setdefault(document_id, DocumentAudit(url=url))
        if state == "failed":
            document.failure, document.violations = f"axe failed on {url}: {found}", []
        elif state == "skipped" or urlsplit(url).path.startswith(NOT_AXE_CHECKED):
            document.violations = []
        else:
            document.violations = [
                Violation(rule=v["rule"], impact=v["impact"], help=v["help"], targets=tuple(v["targets"]), url=url)
                for v in found
            ]
        self.reports.append(document_id)

    def _before_request(self, route, request) -> None:
        try:
            if request.is_navigation_request() and request.frame == self.page.main_frame:
                self.wait()
        finally:
            route.fallback()

    def pending(self) -> list[DocumentAudit]:
        return [document for document in self.documents.values() if document.violations is None]

    def wait(self) -> None:
        """Until the current page has loaded and axe has reported on every page loaded so far."""
        deadline = time.monotonic() + AXE_TIMEOUT_SECONDS
        # Answered by Playwright from what it knows already: no call into the page,
        # which the browser would hold back while a form's navigation is pending.
        # A page that never loads is not waited for again: it is reported as left unchecked.
        with contextlib.suppress(PlaywrightError):
            self.page.main_frame.wait_for_load_state("load", timeout=AXE_TIMEOUT_SECONDS * 1000)
        while len(self.reports) < self.loads and time.monotonic() < deadline and not self.page.is_closed():
            self.page.wait_for_timeout(20)

    def check(self) -> list[Violation]:
        """axe's violations on the current page as it loaded; the test asserts on them itself."""
        self.wait()
        assert self.reports and len(self.reports) >= self.loads, f"axe did not report on {self.page.url}"
        document = self.documents[self.reports[-1]]
        document.claimed = True
        assert not document.failure, document.failure
        return document.violations or []

    def check_now(self) -> list[Violation]:
        """axe's violations on the current page as it is now (after a test changed it)."""
        url = self.page.url
        return [
            Violation(rule=v["rule"], impact=v["impact"], help=v["help"], targets=tuple(v["targets"]), url=url)
            for v in self.page.evaluate(AXE_RUN, AXE_TAGS)
        ]

    def problems(self) -> tuple[list[Violation], list[str]]:
        """Every violation on the pages no test claimed, and every page axe could not check."""
        self.wait()
        unclaimed = [document for document in self.documents.values() if not document.claimed]
        violations = [violation for document in unclaimed for violation in document.violations or []]
        failures = [document.failure for document in unclaimed if document.failure]
        failures += [f"axe did not finish on {document.url}" for document in self.pending()]
        return violations, failures


def axe_report(violations: Sequence[Violation], failures: Sequence[str] = ()) -> str:
    lines = [f"  - {violation}" for violation in violations] + [f"  - {failure}" for failure in failures]
    return "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(lines)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A browser test fails when axe found a violation on any page it showed.

    Checked after the test's own body, so the test's own failure (if any) is
    reported first and unchanged.
    """
    outcome = yield
    page = item.funcargs.get("page")
    audit = getattr(page, "axe", None)
    if isinstance(audit, AxeAudit) and not page.is_closed():
        violations, failures = audit.problems()
        if violations or failures:
            pytest.fail(axe_report(violations, failures), pytrace=False)
    return outcome


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


@contextlib.contextmanager
def portal_page(browser, live_server, settings, **context_options):
    """A page at the live server whose every load axe checks and whose requests are recorded."""
    # Links in e-mails are built from PORTAL_URL, never from the request, so
    # the portal's address here is the live server's.
    settings.PORTAL_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900}, **context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.recorder = PageRecorder(page, live_server.url)
    page.axe = AxeAudit(page)
    try:
        yield page
    finally:
        # A test that failed mid-navigation may leave axe's handler waiting on a page about to close.
        page.unroute_all(behavior="ignoreErrors")
        context.close()


@pytest.fixture
def page(browser, live_server, settings):
    with portal_page(browser, live_server, settings) as page:
        yield page


def sign_in_without_the_pages(page, email: str, password: str, *, code: Callable[[], str] | None = None) -> None:
    """Sign `page`'s browser in through allauth's forms, sent by Django's test client rather than the browser.

    For tests about what comes after signing in: the session records the password (and the
    second factor, when a `code` is asked for) as a sign-in in the browser would, and its
    cookie is handed to the browser, without a page load (and an axe run) for each step.
    The sign-in pages themselves are walked in test_sign_up_and_in, test_staff_sign_in
    and test_accessibility's signed-out and two-factor pages.
    """
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert response.status_code == 302, f"signing in {email} failed: {response.content.decode()[:500]}"
    if code is not None:
        second_factor = response["Location"]
        assert second_factor.startswith(reverse("mfa_authenticate")), second_factor
        response = client.post(second_factor, {"code": code()})
        assert response.status_code == 302, f"{email}'s second factor failed: {response.content.decode()[:500]}"
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [
            {
                "name": session.key,
                "value": session.value,
                "url": page.recorder.origin,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
