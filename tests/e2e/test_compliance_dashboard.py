"""The compliance dashboard in Chromium: its charts drawn from a quarter of history, on a laptop and a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.dashboard_history import seed_quarter
from tests.e2e.staff import LAPTOP, sign_in_as_officer
from tests.factories import AISystemFactory
from tests.fairness.conftest import customers, decide, run_audit

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DASHBOARD = "/admin/privacy/privacyrequest/dashboard/"
# The smallest text a chart may draw, in CSS pixels, once its SVG is scaled to the page.
SMALLEST_TEXT_PX = 9


@pytest.fixture
def history(transactional_db):
    """The quarter of tests/dashboard_history.py, and two monthly fairness audits of a refund assistant."""
    quarter = seed_quarter()
    refund_assistant = AISystemFactory.create(slug="refund-assistant", name="Refund assistant")
    english, german = customers(15, recorded={"language": "en"}), customers(15, recorded={"language": "de"})
    decide(english, refund_assistant, favourable=80, unfavourable=20, days_ago=5)
    decide(german, refund_assistant, favourable=45, unfavourable=55, days_ago=5)
    for days in (30, 0):
        run_audit(window_end=timezone.now() - timedelta(days=days))
    return quarter


def smallest_chart_text(page) -> float:
    """The smallest font size any chart's text is drawn at on screen, in CSS pixels."""
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll("svg.chart, svg.fairness-chart")].flatMap((svg) => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll("text")].map((text) => Number(text.getAttribute("font-size")) * scale);
        }))"""
    )


def fits_the_window(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")


def test_a_privacy_officer_sees_each_chart_drawn_from_the_history_on_a_laptop_and_a_phone(page, history):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_viewport_size(LAPTOP)
    sign_in_as_officer(page)
    page.goto(DASHBOARD)

    requests = page.get_by_role("img", name="Privacy requests per week")
    bars = 'rect:not([fill^="url"])'  # not the hatching laid over a bar
    assert requests.locator(bars).count() == 5 + 2 + 2  # opened, closed on time, closed late (in their weeks)
    assert requests.locator('path[stroke-dasharray="5 3"]').count() == 1  # open past their deadline
    opt_out = page.get_by_role("img", name="Opt-out rate per use of AI")
    opt_in = page.get_by_role("img", name="Opt-in rate per use of AI")
    assert (
        opt_out.locator('path[stroke-width="2"]').count() >= 2 and opt_in.locator('path[stroke-width="2"]').count() >= 1
    )
    reviews = page.get_by_role("img", name="Chat assistant: human reviews asked and flags raised per week")
    assert reviews.locator(bars).count() == 3  # two reviews in one week; a review and a flag in another
    assert page.locator("svg.chart[role=img]").count() == 4
    # Each chart's key says what each look means; the numbers are in a table under it.
    page.get_by_text("The figures behind the chart").nth(2).click()  # the opt-in chart's
    table = page.get_by_role("table", name="Opt-in rate per use of AI")
    # AI training now: c4 (c3 asked for people only), of 35 customers (the 30 audited ones too).
    assert table.get_by_role("row").last.get_by_role("cell").all_inner_texts() == ["35", "0% (0)", "2.9% (1)"]
    assert page.get_by_role("listitem").filter(has_text="Closed late").locator("svg pattern").count() == 1
    # The fairness audits: each system's latest verdict, and the chart of the one audited.
    fairness = page.locator("#fairness")
    assert fairness.get_by_role("heading", name="Refund assistant").get_by_text("Alert").is_visible()
    assert fairness.get_by_role("heading", name="Chat assistant").get_by_text("No decisions audited").is_visible()
    assert fits_the_window(page) and smallest_chart_text(page) >= SMALLEST_TEXT_PX
    swatches = page.evaluate("[...document.querySelectorAll('.chart-legend svg')].map((s) => s.clientWidth)")
    assert len(swatches) == 4 + 6 + 2 and set(swatches) == {28}  # each key's swatch, at its own small size

    page.set_viewport_size(PHONE)
    page.goto(DASHBOARD)
    assert fits_the_window(page), "the page scrolls sideways on a phone"
    assert smallest_chart_text(page) >= SMALLEST_TEXT_PX, "a chart's text is too small to read on a phone"
    # With every table of figures open too (axe checked the page as it loaded, with them folded).
    for summary in page.get_by_text("The figures behind the chart").all():
        summary.click()
    assert fits_the_window(page)
    assert page.axe.check_now() == []
    assert problems == []


def test_the_charts_stay_readable_in_the_dark_colour_theme(page, history):
    """Drawn in dark text on white: the chart boxes stay white when the admin turns dark."""
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size(LAPTOP)
    sign_in_as_officer(page)
    page.goto(DASHBOARD)
    backgrounds = page.evaluate(
        """() => [...document.querySelectorAll(".chart-box, .fairness-chart-box")].map(
            (box) => getComputedStyle(box).backgroundColor)"""
    )
    assert len(backgrounds) == 5 and set(backgrounds) == {"rgb(255, 255, 255)"}
