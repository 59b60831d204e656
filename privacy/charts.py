"""Server-rendered SVG charts for the staff's screens: no script, no third-party request.

Plain SVG with presentation attributes (no style attributes, which the
portal's Content-Security-Policy forbids), a title and a description for
screen readers, and the numbers beside them in a table for whoever needs them.
Each series has a colour, a marker shape and a dash or hatch of its own, so
colour never carries the meaning alone. The fairness app draws its charts in
the same frame (`svg_frame`), with the same styles.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Style:
    colour: str
    marker: str  # circle, square, diamond or triangle
    dash: str = ""  # an SVG stroke-dasharray; "" draws a solid line
    hatched: bool = False  # bars: white diagonal stripes over the colour


# Okabe–Ito's colour-blind-safe hues, darkened where needed so that each has at
# least 3:1 contrast with the white the charts are drawn on (WCAG 1.4.11).
COLOURS = ["#0072B2", "#D55E00", "#007A5A", "#A6427B", "#5C5C5C", "#8A5A00"]
MARKERS = ["circle", "square", "diamond", "triangle", "circle", "square"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "4 4", "1 3"]
TEXT, QUIET, GRID = "#1f2328", "#4b5563", "#d0d7de"
# A weekly chart's size, in the units its text is measured in: drawn across a phone
# (about 330 px) its 14-unit text is still 9.5 px; across half a laptop's page, 17 px.
WIDTH, HEIGHT, FONT = 480, 200, 14


def style(index: int) -> Style:
    """The index-th series' style: the same index always looks the same, on every staff chart."""
    return Style(COLOURS[index % len(COLOURS)], MARKERS[index % len(MARKERS)], DASHES[index % len(DASHES)])


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    style: Style


def n(value: float) -> str:
    """A coordinate, formatted before it reaches format_html (which escapes its arguments to text)."""
    return f"{value:.1f}"


def marker(shape: str, x: float, y: float, colour: str) -> SafeString:
    if shape == "square":
        return format_html('<rect x="{}" y="{}" width="7" height="7" fill="{}"/>', n(x - 3.5), n(y - 3.5), colour)
    if shape == "diamond":
        return format_html('<path d="M{} {}l4.5 4.5-4.5 4.5-4.5-4.5z" fill="{}"/>', n(x), n(y - 4.5), colour)
    if shape == "triangle":
        return format_html('<path d="M{} {}l4.5 8h-9z" fill="{}"/>', n(x), n(y - 5), colour)
    return format_html('<circle cx="{}" cy="{}" r="3.8" fill="{}"/>', n(x), n(y), colour)


def svg_frame(
    *, width: int, height: int, title: str, description: str, parts: Sequence[SafeString], css_class: str = "chart"
) -> SafeString:
    """A chart's frame: its title and a text description name it for screen readers."""
    chart_id = element_id(title)
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{}-t {}-d" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        css_class,
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        mark_safe("".join(parts)),  # noqa: S308  (every part is built with format_html)
    )


def element_id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())[:60]


# --- weekly charts: a scale, columns, lines, a legend and the table behind them ---------------


def count_text(value: float) -> str:
    return f"{value:.0f}"


def share_text(value: float) -> str:
    """A rate as staff read it: precise enough that a few customers of thousands is not "0%", nor all but one "100%"."""
    percent = value * 100
    if percent in (0, 100):
        return f"{percent:.0f}%"
    if percent < 1:
        return f"{percent:.2f}%"
    if 10 <= percent < 99:
        return f"{percent:.0f}%"
    text = f"{percent:.1f}"
    return f"{percent:.2f}%" if text == "100.0" else f"{text}%"


@dataclass(frozen=True)
class Scale:
    """The y axis from 0 to a round top, with four or five gridlines."""

    top: float
    step: float
    text: Callable[[float], str]  # a value, as the description says it
    shares: bool = False

    @classmethod
    def for_counts(cls, values: Sequence[float | None]) -> "Scale":
        highest = max([v for v in values if v is not None] + [1.0])
        step = max(1.0, math.ceil(_round_step(highest / 4)))
        return cls(step * math.ceil(highest / step), step, count_text)

    @classmethod
    def for_shares(cls, values: Sequence[float | None]) -> "Scale":
        highest = max([v for v in values if v is not None] + [0.01])
        step = _round_step(highest / 4)
        if step * math.ceil(highest / step) > 1:
            return cls(1.0, 0.25, share_text, shares=True)
        return cls(step * math.ceil(highest / step), step, share_text, shares=True)

    def ticks(self) -> list[float]:
        return [self.step * i for i in range(round(self.top / self.step) + 1)]

    def tick_text(self, value: float) -> str:
        """A gridline's label: round numbers, without trailing zeros (0.25%, 0.5%, 1%)."""
        return f"{round(value * 100, 6):g}%" if self.shares else f"{round(value, 6):g}"


def _round_step(rough: float) -> float:
    power = 10 ** math.floor(math.log10(rough))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough * (1 - 1e-9)))


@dataclass(frozen=True)
class _Plot:
    """Where the plot area sits in the chart, and the week slots across it."""

    width: int
    height: int
    left: int
    top: int
    bottom: int
    slots: int
    scale: Scale

    def x(self, slot: float) -> float:
        return self.left + (self.width - self.left - 8) * (slot + 0.5) / self.slots

    @property
    def slot_width(self) -> float:
        return (self.width - self.left - 8) / self.slots

    def y(self, value: float) -> float:
        share = max(0.0, min(1.0, value / self.scale.top))
        return self.height - self.bottom - (self.height - self.bottom - self.top) * share


def _left(scale: Scale, font: int) -> int:
    """Room for the longest gridline label (a character is about 0.6 of the font size wide)."""
    return round(max(len(scale.tick_text(tick)) for tick in scale.ticks()) * font * 0.62) + 10


def _axes(plot: _Plot, labels: Sequence[str], font: int) -> list[SafeString]:
    parts = []
    for tick in plot.scale.ticks():
        y = plot.y(tick)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{}">{}</text>',
                plot.left,
                n(y),
                plot.width - 8,
                n(y),
                GRID,
                plot.left - 5,
                n(y + font / 3),
                font,
                QUIET,
                plot.scale.tick_text(tick),
            )
        )
    # Every label where there is room for it, else every other one (the table has them all).
    every = 1 if plot.slot_width >= font * 3.6 else 2
    for index, label in enumerate(labels):
        if (len(labels) - 1 - index) % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}">{}</text>',
                    n(plot.x(index)),
                    plot.height - plot.bottom + font + 5,
                    font,
                    QUIET,
                    label,
                )
            )
    return parts


def _hatch_pattern(pattern_id: str) -> SafeString:
    return format_html(
        '<pattern id="{}" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<line x1="0" y1="0" x2="0" y2="5" stroke="#ffffff" stroke-width="2"/></pattern>',
        pattern_id,
    )


def _description(labels: Sequence[str], series: Sequence[Series], text: Callable[[float], str]) -> str:
    weeks = f"Weeks starting {labels[0]} to {labels[-1]}. " if labels else ""
    return weeks + "; ".join(
        f"{s.label}: " + ", ".join("none" if v is None else text(v) for v in s.values) for s in series
    )


def column_chart(
    *,
    title: str,
    labels: Sequence[str],
    stacks: Sequence[Sequence[Series]],
    lines: Sequence[Series] = (),
    scale: Scale | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
    font: int = FONT,
) -> SafeString:
    """Columns per week, side by side (a stack of series each), and lines over them.

    `scale` may be shared by several charts so that they compare at a glance.
    """
    every_series = [s for stack in stacks for s in stack] + list(lines)
    if scale is None:
        totals = [sum(s.values[i] or 0 for s in stack) for stack in stacks for i in range(len(labels))]
        scale = Scale.for_counts(totals + [v for s in lines for v in s.values])
    plot = _Plot(width, height, left=_left(scale, font), top=10, bottom=font + 12, slots=len(labels), scale=scale)
    hatch_id = element_id(title) + "-hatch"
    parts = [format_html("<defs>{}</defs>", _hatch_pattern(hatch_id)), *_axes(plot, labels, font)]
    column = plot.slot_width * 0.72 / max(len(stacks), 1)
    for index in range(len(labels)):
        for position, stack in enumerate(stacks):
            x = plot.x(index) - column * len(stacks) / 2 + column * position
            base = 0.0
            for series in stack:
                value = series.values[index] or 0
                if not value:
                    continue
                top, bottom = plot.y(base + value), plot.y(base)
                box = (n(x + 0.5), n(top), n(column - 1), n(bottom - top))
                parts.append(
                    format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>', *box, series.style.colour)
                )
                if series.style.hatched:
                    parts.append(
                        format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{})"/>', *box, hatch_id)
                    )
                base += value
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
            plot.left,
            n(plot.y(0)),
            width - 8,
            n(plot.y(0)),
            QUIET,
        )
    )
    parts += _lines(plot, lines)
    return svg_frame(
        width=width,
        height=height,
        title=title,
        description=_description(labels, every_series, scale.text),
        parts=parts,
    )


def line_chart(*, title: str, labels: Sequence[str], series: Sequence[Series], scale: Scale) -> SafeString:
    """A line per series across the weeks."""
    plot = _Plot(WIDTH, HEIGHT, left=_left(scale, FONT), top=10, bottom=FONT + 12, slots=len(labels), scale=scale)
    parts = [*_axes(plot, labels, FONT), *_lines(plot, series)]
    return svg_frame(
        width=plot.width,
        height=plot.height,
        title=title,
        description=_description(labels, series, scale.text),
        parts=parts,
    )


def _lines(plot: _Plot, series: Sequence[Series]) -> list[SafeString]:
    """Each series as a line through its markers; a week without a value breaks the line."""
    parts = []
    for line in series:
        points = [(index, value) for index, value in enumerate(line.values) if value is not None]
        path = " ".join(
            f"{'L' if k and points[k - 1][0] == i - 1 else 'M'}{plot.x(i):.1f} {plot.y(v):.1f}"
            for k, (i, v) in enumerate(points)
        )
        if "L" in path:
            parts.append(
                format_html(
                    '<path d="{}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>',
                    path,
                    line.style.colour,
                    line.style.dash or "none",
                )
            )
        parts += [marker(line.style.marker, plot.x(i), plot.y(v), line.style.colour) for i, v in points]
    return parts


def legend(*, name: str, lines: Sequence[Series] = (), bars: Sequence[Series] = ()) -> SafeString:
    """The key to a chart, as HTML under it (text wraps on a phone; each swatch repeats its series' look).

    `name` (the chart's title) keeps the swatches' pattern ids unique on the page.
    """
    items = [(_bar_swatch(s.style, f"{element_id(name)}-key-{i}"), s.label) for i, s in enumerate(bars)]
    items += [(_line_swatch(s.style), s.label) for s in lines]
    return format_html(
        '<ul class="chart-legend">{}</ul>',
        format_html_join(
            "",
            '<li><svg width="28" height="14" viewBox="0 0 28 14" aria-hidden="true" focusable="false">{}</svg>{}</li>',
            items,
        ),
    )


def _line_swatch(look: Style) -> SafeString:
    return format_html(
        '<path d="M1 7H27" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>{}',
        look.colour,
        look.dash or "none",
        marker(look.marker, 14, 7, look.colour),
    )


def _bar_swatch(look: Style, pattern_id: str) -> SafeString:
    swatch = format_html('<rect x="4" y="1" width="20" height="12" fill="{}"/>', look.colour)
    if look.hatched:
        swatch = format_html(
            '{}<defs>{}</defs><rect x="4" y="1" width="20" height="12" fill="url(#{})"/>',
            swatch,
            _hatch_pattern(pattern_id),
            pattern_id,
        )
    return swatch


def weekly_table(*, caption: str, labels: Sequence[str], columns: Sequence[tuple[str, Sequence[str]]]) -> SafeString:
    """The numbers behind a weekly chart: a row per week (narrow enough for a phone), a column per figure."""
    head = format_html_join("", '<th scope="col">{}</th>', ((header,) for header, _ in columns))
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (label, format_html_join("", "<td>{}</td>", ((cells[i],) for _, cells in columns)))
            for i, label in enumerate(labels)
        ),
    )
    return format_html(
        '<table class="chart-table"><caption>{}</caption><thead><tr><th scope="col">Week starting</th>{}</tr></thead>'
        "<tbody>{}</tbody></table>",
        caption,
        head,
        rows,
    )
