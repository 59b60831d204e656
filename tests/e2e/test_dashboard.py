"""The dashboard read as a person reads it, on a laptop and on a phone."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

SIZES = [(1280, 900), (390, 844)]


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/dashboard/")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_value_on_the_dashboard_has_room_to_be_read(page, alice, width, height):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, alice.email)
    widths = page.locator(".cards dd").evaluate_all("(values) => values.map((dd) => dd.getBoundingClientRect().width)")
    assert len(widths) >= 6
    assert min(widths) >= 120, widths
    # The name is one line, not a letter per line.
    name = page.locator(".cards dd", has_text=alice.full_name)
    line_height = float(name.evaluate("(dd) => parseFloat(getComputedStyle(dd).lineHeight)"))
    assert name.bounding_box()["height"] < 2 * line_height


@pytest.mark.parametrize("width", [360, 390])
def test_on_a_phone_the_menu_holds_every_link_and_nothing_scrolls_sideways(page, alice, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, alice.email)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    navigation = page.get_by_role("navigation", name="Main")
    assert not navigation.get_by_role("link", name="My data").is_visible()
    navigation.get_by_text("Menu").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the open menu fits too
    for name in ["Dashboard", "My data", "AI choices", "Human reviews", "Requests", "Account"]:
        assert navigation.get_by_role("link", name=name, exact=True).is_visible()
    assert navigation.get_by_role("button", name="Sign out").is_visible()
    navigation.get_by_role("link", name="Human reviews", exact=True).click()
    page.wait_for_url("**/human-review/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_on_a_laptop_every_link_is_in_one_row(page, alice):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, alice.email)
    navigation = page.get_by_role("navigation", name="Main")
    assert not navigation.get_by_text("Menu").is_visible()
    tops = {
        round(navigation.get_by_role("link", name=name, exact=True).bounding_box()["y"])
        for name in ["Dashboard", "My data", "AI choices", "Human reviews", "Requests", "Account"]
    }
    assert len(tops) == 1
