"""Every customer page, signed out and signed in, on a laptop and on a phone: no WCAG 2.1 A/AA
violation that axe-core finds, and no page wider than its window (down to 360 px).

Each page is loaded once, at the phone's size, and checked at every size by resizing the
window (as the narrowest phone always was): the portal's layout is CSS alone, which a browser
lays out again for the new size, and no script of the portal reads the window's size
(test_no_portal_script_lays_out_for_the_window_size). Loading every page again for each
size cost a page load (with its server round trip and axe's set-up) that checked nothing more.

The pages come from the URLconf: each named URL outside the admin and the API is either
visited here or listed in NOT_PAGES with the reason it is not a page of its own, so a new
page cannot be forgotten (test_every_portal_url_is_checked_here_or_says_why_not).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from interactions.models import Message
from privacy import services
from privacy.registry import registry
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_report, sign_in_without_the_pages
from tests.factories import AIDecisionFactory, MessageFactory, give_history

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}
# The narrowest phone the portal promises to fit (issue 13): its width is checked, not axe.
NARROWEST = {"width": 360, "height": 800}
# Every page is loaded at the first and checked (axe, width) at each; and fits the narrowest.
SIZES = [PHONE, LAPTOP]
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

Reach = Callable[[Any, "CustomerData"], None]


@dataclass
class CustomerData:
    """What the signed-in pages show: Alice's history, a decision, a review, an export."""

    decision_id: int = 0
    conversation_id: int = 0
    ai_message_id: int = 0
    review_id: int = 0
    export_id: int = 0


def url(name: str, data: CustomerData) -> str:
    kwargs_of: dict[str, dict[str, Any]] = {
        "my_data_source": {"source_key": "interactions.message"},
        "decision_detail": {"pk": data.decision_id},
        "human_review_detail": {"pk": data.review_id},
        "human_review_new": {"source_key": "interactions.conversation", "object_id": data.conversation_id},
        "ai_flag_new": {"source_key": "interactions.message", "object_id": data.ai_message_id},
        "privacy_request_detail": {"pk": data.export_id},
        # What a customer sees after following an e-mailed link that is wrong or spent.
        "account_confirm_email": {"key": "not-a-real-key"},
        "account_reset_password_from_key": {"uidb36": "0", "key": "not-a-real-key"},
    }
    return reverse(name, kwargs=kwargs_of.get(name, {}))


def submit_the_form(form_page: str) -> Reach:
    """A page reached by sending the form of another (a code is e-mailed first)."""

    def reach(page, data: CustomerData) -> None:
        # The form's own page, when the walk has just checked it, is sent as it is: the same page again cost a load.
        if landed_on(page) != form_page:
            page.goto(reverse(form_page))
        if form_page == "account_request_login_code":
            page.locator("#id_email").fill("alice@example.com")
        page.locator("main form[method=post] [type=submit]").first.click()
        page.wait_for_load_state()

    return reach


def sign_in_with_a_code(page, data: CustomerData) -> None:
    """The two-factor prompt: signing in with the password leads there."""
    page.goto(reverse("account_login"))
    page.locator("#id_login").fill("charlie@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/accounts/2fa/authenticate/**")


SIGNED_OUT: dict[str, Reach | None] = {
    "home": None,
    "ai_transparency": None,
    "account_login": None,
    "account_signup": None,
    "account_inactive": None,
    "account_email_verification_sent": None,
    "account_confirm_email": None,
    "account_reset_password": None,
    "account_reset_password_done": None,
    "account_reset_password_from_key": None,
    "account_reset_password_from_key_done": None,
    "account_request_login_code": None,
    "account_confirm_login_code": submit_the_form("account_request_login_code"),
}


def after_signing_in(page, data: CustomerData) -> None:
    """The first page after signing in: with allauth's message, which the session keeps for it."""
    page.goto(url("dashboard", data))
    assert page.locator(".messages .message-success").count() == 1, "no 'signed in' message on the first page"


SIGNED_IN: dict[str, Reach | None] = {
    "dashboard": after_signing_in,
    "my_data": None,
    "my_data_source": None,
    "ai_preferences": None,
    "privacy_request_list": None,
    "privacy_request_detail": None,
    "export_new": None,
    "erasure_new": None,
    "human_review_list": None,
    "human_review_new": None,
    "human_review_detail": None,
    "decision_list": None,
    "decision_detail": None,
    "ai_flag_new": None,
    "fairness_volunteer": None,
    "profile": None,
    "profile_edit": None,
    "account_email": None,
    "account_change_password": None,
    "account_reauthenticate": None,
    "account_request_reauthentication_code": None,
    "account_confirm_reauthentication_code": submit_the_form("account_request_reauthentication_code"),
    "mfa_index": None,
    "mfa_activate_totp": None,
    "mfa_list_webauthn": None,
    "mfa_add_webauthn": None,
    "usersessions_list": None,
    "account_logout": None,  # the "Sign out?" question a GET shows
}
# The signed-in walk in two parts, one test each, so that make test's two browsers share it.
_SPLIT = list(SIGNED_IN).index("profile")
SIGNED_IN_PARTS = {
    "privacy": dict(list(SIGNED_IN.items())[:_SPLIT]),
    "profile-and-security": dict(list(SIGNED_IN.items())[_SPLIT:]),
}
# Charlie has an authenticator app and recovery codes: the pages only such a customer sees.
WITH_TWO_FACTOR: dict[str, Reach | None] = {
    "mfa_authenticate": sign_in_with_a_code,
    "mfa_reauthenticate": None,
    "mfa_deactivate_totp": None,
    "mfa_view_recovery_codes": None,
    "mfa_generate_recovery_codes": None,
}
NOT_PAGES = {
    "gpc_json": "JSON for browsers that send Global Privacy Control",
    "healthz": "plain text for the load balancer",
    "readyz": "JSON for the load balancer's readiness check",
    "metrics": "Prometheus text for the monitoring system, behind a token",
    "favicon.ico": "an icon",
    "always_human_set": "a form's POST action that returns to AI choices",
    "set_language": "the language switcher's POST action, which returns to the page it is on",
    "ai_preference_set": "a form's POST action that returns to AI choices",
    "privacy_request_cancel": "a form's POST action that returns to the request",
    "fairness_withdraw": "a form's POST action that returns to the fairness page",
    "export_download": "the archive itself (a zip file)",
    "mfa_download_recovery_codes": "the recovery codes as a text file",
    "account_set_password": "for accounts without a password; every customer signs up with one (redirects to change)",
    "staff_mfa_needed": "for staff, not customers",
    "staff_mfa_invitation": "for staff, not customers",
    "mfa_reauthenticate_webauthn": "needs a security key, which headless Chromium cannot create",
    "mfa_edit_webauthn": "needs a security key, which headless Chromium cannot create",
    "mfa_remove_webauthn": "needs a security key, which headless Chromium cannot create",
}


def portal_urls(patterns=None, prefix: str = "") -> Iterator[str]:
    """The name (or, without one, the route) of every URL outside the admin and the API."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(("admin/", "api/")):
            continue
        if isinstance(pattern, URLResolver):
            yield from portal_urls(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield pattern.name or route


def test_every_portal_url_is_checked_here_or_says_why_not():
    listed = [*SIGNED_OUT, *SIGNED_IN, *WITH_TWO_FACTOR, *NOT_PAGES]
    assert len(listed) == len(set(listed)), "a page is listed twice"
    urls = set(portal_urls())
    new, gone = sorted(urls - set(listed)), sorted(set(listed) - urls)
    assert not new, f"new pages {new}: visit them here, or say in NOT_PAGES why they are not pages"
    assert not gone, f"{gone} are gone from the URLconf: take them off the lists"


def landed_on(page) -> str | None:
    return resolve(urlsplit(page.url).path).url_name


def visit(page, name: str, reach: Reach | None, data: CustomerData) -> None:
    """Open a page the way a customer gets there, proving the password again if asked."""
    if reach is None:
        page.goto(url(name, data))
    else:
        reach(page, data)
    if landed_on(page) == "account_reauthenticate" and name != "account_reauthenticate":
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#id_password").press("Enter")
        page.wait_for_url(lambda address: "/reauthenticate/" not in address)


WIDEST_ELEMENTS = """() => [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map((element) => {
        const id = element.id ? "#" + element.id : "";
        const classes = [...element.classList].map((name) => "." + name).join("");
        return `${element.tagName.toLowerCase()}${id}${classes} (right edge ${Math.round(element.getBoundingClientRect().right)} px)`;
    })
    .slice(0, 5)"""


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def check_page(page, subtests, name: str) -> None:
    """The page just loaded (at SIZES[0]): axe and its width at each size, one axe run per size."""
    path = urlsplit(page.url).path
    with subtests.test(msg=f"reached {name} ({path})"):
        assert landed_on(page) == name, f"expected {name}, landed on {page.url}"
    for size in SIZES:
        label = f"{name} at {size['width']}x{size['height']} ({path})"
        page.set_viewport_size(size)
        with subtests.test(msg=f"axe: {label}"):
            # axe checked the page as it loaded; at another size it checks the page as it is laid out now.
            violations = page.axe.check() if size is SIZES[0] else page.axe.check_now()
            assert not violations, axe_report(violations)
        for width in [size, NARROWEST] if size["width"] < 1000 else [size]:
            page.set_viewport_size(width)
            with subtests.test(msg=f"fits {width['width']} px: {label}"):
                scroll_width, window_width = page_width(page)
                assert scroll_width <= window_width, (
                    f"{label} is {scroll_width} px wide in a {window_width} px window; "
                    f"sticking out: {page.evaluate(WIDEST_ELEMENTS)}"
                )
    page.set_viewport_size(SIZES[0])


def check_pages(page, subtests, pages: dict[str, Reach | None], data: CustomerData) -> None:
    for name, reach in pages.items():
        visit(page, name, reach, data)
        check_page(page, subtests, name)
        assert "Bob-history" not in page.content()


@pytest.fixture
def alices_data(alice, bob) -> CustomerData:
    """A customer with a bit of everything, like the demo's: and Bob, whose data must not show."""
    conversations = give_history(alice, marker="Alice-history")
    give_history(bob, marker="Bob-history")
    conversation = conversations[0]
    ai_message = MessageFactory.create(
        conversation=conversation,
        sender=Message.Sender.AI,
        ai_system=conversation.ai_system,
        body="Alice-history: an answer our chat assistant wrote",
    )
    decision = AIDecisionFactory.create(customer=alice)
    review = services.human_review_request(
        user=alice,
        source=registry.source("interactions.aidecision"),
        row=decision,
        statement="The parcel never came.",
        contests_outcome=True,
    )
    export = services.export_request_create(user=alice)  # built at once: Celery runs eagerly here
    return CustomerData(
        decision_id=decision.pk,
        conversation_id=conversation.pk,
        ai_message_id=ai_message.pk,
        review_id=review.pk,
        export_id=export.pk,
    )


@pytest.mark.e2e
def test_every_signed_out_page_passes_axe_and_fits_the_window(page, subtests, alice):
    page.set_viewport_size(SIZES[0])
    check_pages(page, subtests, SIGNED_OUT, CustomerData())


@pytest.mark.e2e
@pytest.mark.parametrize("part", SIGNED_IN_PARTS)
def test_every_signed_in_page_passes_axe_and_fits_the_window(page, subtests, alices_data, part):
    page.set_viewport_size(SIZES[0])
    # The sign-in pages are the signed-out walk's; the dashboard it leads to, with its
    # "signed in" message, is the first page of the walk (after_signing_in).
    sign_in_without_the_pages(page, "alice@example.com", PASSWORD)
    check_pages(page, subtests, SIGNED_IN_PARTS[part], alices_data)


@pytest.mark.e2e
def test_every_two_factor_page_passes_axe_and_fits_the_window(page, subtests, charlie):
    TOTP.activate(charlie, TOTP_SECRET)
    RecoveryCodes.activate(charlie)
    page.set_viewport_size(SIZES[0])
    pages = dict(WITH_TWO_FACTOR)
    visit(page, "mfa_authenticate", pages.pop("mfa_authenticate"), CustomerData())
    check_page(page, subtests, "mfa_authenticate")
    counter = int(page.evaluate("Date.now() / 1000")) // 30
    page.locator("#id_code").fill(format_hotp_value(hotp_value(TOTP_SECRET, counter)))
    page.locator("#id_code").press("Enter")
    page.wait_for_url("**/dashboard/")
    check_pages(page, subtests, pages, CustomerData())


# What would make a page loaded at one size differ from the same page resized to it: a
# script that reads the window's size or listens for its change, or htmx loading content
# when it scrolls into view.
READS_THE_WINDOW_SIZE = re.compile(
    r"matchMedia|innerWidth|innerHeight|outerWidth|outerHeight|clientWidth|screen\.(?:width|height)"
    r"|[\"']resize[\"']|onresize|ResizeObserver|IntersectionObserver|hx-trigger=[\"'][^\"']*(?:revealed|intersect)"
)


def test_no_portal_script_lays_out_for_the_window_size():
    """What makes checking each page at every size by resizing it (check_page) as good as loading it at each."""
    root = Path(settings.BASE_DIR)
    files = [*(root / "static" / "js").rglob("*.js"), *(root / "templates").rglob("*.html")]
    assert len(files) > 20, "the portal's scripts and templates were not found"
    readers = [str(file.relative_to(root)) for file in files if READS_THE_WINDOW_SIZE.search(file.read_text())]
    assert not readers, (
        f"{readers} lay out for the window's size: load each page at each of SIZES in "
        "test_accessibility (a resized page is no longer the page loaded at that size)"
    )
