"""The audit trail and the staff guidelines in Chromium, as a privacy officer reads them at laptop size."""

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy import services
from privacy.demo import DEMO_GUIDELINES
from privacy.models import AuditEvent, PrivacyRequest
from privacy.services.requests import subject_reference
from tests.e2e.staff import LAPTOP, sign_in_as_officer

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

NO_SIDEWAYS_SCROLL = """() => {
    const page = document.scrollingElement;
    const table = document.querySelector("#result_list");
    const results = table ? table.closest(".results") : null;
    return {
        page: [page.scrollWidth, page.clientWidth],
        results: results ? [results.scrollWidth, results.clientWidth] : null,
        tableRight: table ? table.getBoundingClientRect().right : null,
        resultsRight: results ? results.getBoundingClientRect().right : null,
        viewport: window.innerWidth,
    };
}"""


def assert_fits(page):
    measured = page.evaluate(NO_SIDEWAYS_SCROLL)
    scroll_width, client_width = measured["page"]
    assert scroll_width <= client_width, measured
    if measured["results"] is not None:
        assert measured["results"][0] <= measured["results"][1], measured  # the table's own scroller
        assert measured["tableRight"] <= measured["resultsRight"] + 1, measured
        assert measured["tableRight"] <= measured["viewport"], measured


def test_the_audit_trail_reads_newest_first_with_names_and_fits_a_laptop(page, alice):
    officer = sign_in_as_officer(page, viewport=LAPTOP)
    request = PrivacyRequest.objects.create(
        kind="erasure",
        status="awaiting_approval",
        user=alice,
        subject_ref=subject_reference(alice.pk),
        due_at=timezone.now() + timedelta(days=30),
    )
    services.audit_record(
        action="request.submitted", actor_id=alice.pk, obj=request, details={"grace_days": 14, "approval": True}
    )
    services.audit_record(action="request.processing", obj=request, details={"kind": "erasure", "attempt": 1})
    # Long unbroken values wrap in their column instead of widening the table.
    services.audit_record(
        action="fairness.audit_completed",
        details={
            "verdict": "watch",
            "units": 45,
            "results_sha256": "9f" * 32,
            "window_end": timezone.now().isoformat(),
        },
    )
    services.audit_record(
        action="request.denied",
        actor_id=officer.pk,
        obj=request,
        details={"kind": "erasure", "from": "awaiting_approval"},
    )

    page.goto("/admin/privacy/auditevent/")
    rows = page.locator("#result_list tbody tr")
    newest = AuditEvent.objects.order_by("-sequence").first()
    assert newest is not None and rows.first.locator("th").inner_text() == str(newest.sequence)
    first = rows.first.inner_text()
    assert "Olivia Okafor" in first and "Request denied" in first and "Previous status: awaiting approval" in first
    assert f"Privacy request #{request.pk}" in first
    assert "the portal (automatic)" in rows.nth(1).inner_text()
    assert "Fairness audit completed" in rows.nth(1).inner_text() and "Verdict: Watch" in rows.nth(1).inner_text()
    assert "the portal (automatic)" in rows.nth(2).inner_text()
    assert "a customer" in rows.nth(3).inner_text()
    assert "Staff member signed in" in rows.last.inner_text()  # the oldest: the officer's own sign-in
    assert "{" not in page.locator("#result_list").inner_text()  # no dict printed as code
    assert_fits(page)

    rows.first.locator("th a").click()
    page.get_by_text("Request denied").first.wait_for()
    assert_fits(page)
    page.get_by_text("The stored record, for investigators").click()
    assert page.get_by_text(newest.hash).is_visible()
    assert_fits(page)

    page.set_viewport_size(PHONE)
    page.goto("/admin/privacy/auditevent/")
    assert_fits(page)
    assert page.recorder.console_errors == []


def test_the_guidelines_read_as_paragraphs_and_lists_under_the_real_csp(page):
    officer = sign_in_as_officer(page, viewport=LAPTOP)
    services.guidelines_publish(text=DEMO_GUIDELINES, staff_user=officer)
    response = page.goto("/admin/privacy/privacyrequest/guidelines/acknowledge/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    text = page.locator(".staff-text")
    assert text.locator("p").count() >= 2
    assert text.locator("li").count() == 5
    assert text.locator("strong").inner_text() == "can overturn it"
    # Paragraphs are laid out apart, not run together.
    first, last = text.locator("p").first.bounding_box(), text.locator("p").last.bounding_box()
    assert first is not None and last is not None and last["y"] > first["y"] + first["height"]
    assert_fits(page)
    page.get_by_role("button", name="I have read these guidelines and will follow them").click()
    page.get_by_text("acknowledged").first.wait_for()
    violations = [error for error in page.recorder.console_errors if "Content Security Policy" in error]
    assert violations == []
    assert page.recorder.console_errors == []
