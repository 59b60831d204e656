"""The staff's chart frame: readable by screen readers, colours that carry enough contrast, honest rounding."""

import re

import pytest

from privacy.charts import COLOURS, GRID, Scale, Series, Style, column_chart, legend, line_chart, share_text, style
from privacy.templatetags import staff_charts


def contrast(colour: str, background: str = "#ffffff") -> float:
    """WCAG's contrast ratio of two sRGB colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(colour), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def colours_drawn(svg: str) -> set[str]:
    """Every colour a chart draws data or text in (gridlines and the white hatching are decoration)."""
    return {c.lower() for c in re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', svg)} - {GRID.lower(), "#ffffff"}


def test_every_series_colour_has_3_to_1_contrast_with_the_white_the_charts_are_drawn_on():
    looks = [style(i).colour for i in range(len(COLOURS))]
    looks += [getattr(staff_charts, name).colour for name in ("OPENED", "CLOSED_ON_TIME", "CLOSED_LATE", "PAST_DUE")]
    assert min(contrast(colour) for colour in looks) >= 3


def test_no_two_series_look_alike_without_their_colour():
    looks = [(style(i).marker, style(i).dash) for i in range(len(COLOURS))]
    assert len(set(looks)) == len(looks)


def test_a_chart_is_an_image_named_by_its_title_and_described_by_its_numbers():
    series = Series("Opened", [3, None, 5], Style("#0072B2", "square"))
    svg = column_chart(title="Requests per week", labels=["1 Sep", "8 Sep", "15 Sep"], stacks=[[series]])
    assert re.match(
        r'<svg class="chart" viewBox="0 0 \d+ \d+" width="100%" role="img" aria-labelledby="(\S+)-t \1-d"', svg
    )
    assert '<title id="chart-requests-per-week-t">Requests per week</title>' in svg
    assert "Weeks starting 1 Sep to 15 Sep. Opened: 3, none, 5</desc>" in svg
    assert svg.count("<rect ") == 2 and 'style="' not in svg and "<script" not in svg
    assert min(contrast(colour) for colour in colours_drawn(svg)) >= 3


def test_a_line_chart_draws_a_line_per_series_and_its_key_repeats_each_look():
    looks = [style(0), style(1)]
    series = [Series("Chat", [0.1, 0.2, 0.25], looks[0]), Series("Drafts", [0.0, None, 0.05], looks[1])]
    svg = line_chart(title="Opt-out rate", labels=["a", "b", "c"], series=series, scale=Scale.for_shares([0.25]))
    assert svg.count('stroke-width="2"') == 1  # the second series has a gap: two lone points, no line
    assert svg.count(f'fill="{looks[1].colour}"') == 2  # ... drawn as markers
    key = legend(name="Opt-out rate", lines=series)
    assert key.count("<li>") == 2 and 'aria-hidden="true"' in key and "Chat" in key and "Drafts" in key
    assert f'stroke-dasharray="{looks[1].dash}"' in key


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (0, "0%"),
        (1 / 400, "0.25%"),
        (0.0333, "3.3%"),
        (0.75, "75%"),
        (0.994, "99.4%"),
        (2999 / 3000, "99.97%"),
        (1, "100%"),
    ],
)
def test_a_rate_keeps_enough_precision_that_a_few_is_not_none_nor_nearly_all_all(rate, text):
    assert share_text(rate) == text


def test_the_y_axis_ends_on_a_round_number_above_the_highest_value():
    assert Scale.for_counts([0, 3, 13]).ticks() == [0, 5, 10, 15]
    assert Scale.for_counts([2, 7]).ticks() == [0, 2, 4, 6, 8]
    assert Scale.for_counts([0, 0]).ticks() == [0, 1]
    shares = Scale.for_shares([0.02, 0.13])
    assert [shares.tick_text(t) for t in shares.ticks()] == ["0%", "5%", "10%", "15%"]
    # A few customers in thousands: on a scale to 1%, not blown up to fill the chart.
    tiny = Scale.for_shares([0.0003, 0.001])
    assert [tiny.tick_text(t) for t in tiny.ticks()] == ["0%", "0.25%", "0.5%", "0.75%", "1%"]
    assert Scale.for_shares([0.9]).top == 1
