"""Server-rendered SVG charts for the staff's screens: no script, no third-party request.

Plain SVG with presentation attributes (no style attributes, which the
portal's Content-Security-Policy forbids), a title and a description for
screen readers, and the numbers beside them in a table for whoever needs them.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from fairness.models import FairnessAuditGroup

# The staff's charts share one frame and one look (privacy/charts.py): colour-blind-safe
# colours with enough contrast, each line also drawn with its own marker shape.
from privacy.charts import COLOURS, MARKERS, svg_frame
from privacy.charts import marker as _marker
from privacy.charts import n as _n

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 170, 14, 30


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


class _Scale:
    """The y axis: from 1.0 down to a round number below the lowest value (0.5 at most)."""

    def __init__(self, values: Iterable[float | None]) -> None:
        lowest = min([v for v in values if v is not None], default=1.0)
        self.bottom = min(0.5, int(lowest * 10) / 10)

    def __call__(self, ratio: float) -> float:
        share = (max(self.bottom, min(1.0, ratio)) - self.bottom) / (1 - self.bottom)
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - share)


def impact_ratio_chart(
    *,
    title: str,
    dates: list[datetime],
    series: dict[str, list[float | None]],
    labels: dict[str, str],
    alert_ratio: float,
    watch_ratio: float,
) -> SafeString:
    """A line per attribute: the lowest impact ratio of a judged group at each audit."""
    count = len(dates)
    _y = _Scale([v for values in series.values() for v in values])
    ticks = [round(_y.bottom + step * (1 - _y.bottom) / 4, 2) for step in range(5)]
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d0d7de"/>', LEFT, _n(_y(v)), WIDTH - RIGHT, _n(_y(v))
        )
        for v in ticks
    ]
    parts += [
        format_html(
            '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#444">{}</text>',
            LEFT - 6,
            _n(_y(v) + 3),
            f"{v:.2f}",
        )
        for v in ticks[::2]
    ]
    for ratio, colour, name in ((alert_ratio, "#b42318", "alert"), (watch_ratio, "#8a5a00", "watch")):
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="4 3"/>'
                '<text x="{}" y="{}" font-size="10" fill="{}">{} {}</text>',
                LEFT,
                _n(_y(ratio)),
                WIDTH - RIGHT,
                _n(_y(ratio)),
                colour,
                WIDTH - RIGHT + 4,
                _n(_y(ratio) + 3),
                colour,
                name,
                f"{ratio:.2f}",
            )
        )
    if count:
        for index in sorted({0, count - 1, count // 2}):
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#444">{}</text>',
                    _n(_x(index, count)),
                    HEIGHT - 10,
                    date_format(dates[index], "M Y"),
                )
            )
    legend_y = TOP + 4
    for position, (key, values) in enumerate(series.items()):
        colour, shape = COLOURS[position % len(COLOURS)], MARKERS[position % len(MARKERS)]
        points = [(index, value) for index, value in enumerate(values) if value is not None]
        if len(points) > 1:
            path = " ".join(
                f"{'M' if n == 0 else 'L'}{_x(i, count):.1f} {_y(v):.1f}" for n, (i, v) in enumerate(points)
            )
            parts.append(format_html('<path d="{}" fill="none" stroke="{}" stroke-width="2"/>', path, colour))
        parts += [_marker(shape, _x(i, count), _y(v), colour) for i, v in points]
        parts.append(_marker(shape, WIDTH - RIGHT + 62, legend_y + 16 * position + 8, colour))
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" fill="#222">{}</text>',
                WIDTH - RIGHT + 70,
                legend_y + 16 * position + 12,
                labels.get(key, key),
            )
        )
    description = "; ".join(
        f"{labels.get(key, key)}: " + ", ".join("–" if v is None else f"{v:.2f}" for v in values)
        for key, values in series.items()
    )
    return _svg(width=WIDTH, height=HEIGHT, title=title, description=description, parts=parts)


def group_rates_chart(*, title: str, groups: Iterable[FairnessAuditGroup]) -> SafeString:
    """Each judged group's favourable rate as a bar, with its 95 % interval as a whisker."""
    judged = [g for g in groups if g.rate is not None]
    row, width, label_width = 26, 640, 200
    height = TOP + row * max(len(judged), 1) + 20
    scale = width - label_width - 60

    def x(rate: float) -> float:
        return label_width + scale * rate

    rows = []
    for index, group in enumerate(judged):
        y = TOP + row * index
        # A judged group has every figure (only a group too small to judge has none).
        rate, ci_low, ci_high = cast(float, group.rate), cast(float, group.ci_low), cast(float, group.ci_high)
        colour = {"alert": "#b42318", "watch": "#8a5a00"}.get(group.verdict, "#0072B2")
        rows.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#222">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="14" fill="{}"/>'
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#222" stroke-width="1.5"/>'
                '<text x="{}" y="{}" font-size="11" fill="#222">{} %</text>',
                label_width - 6,
                y + 11,
                group.label,
                label_width,
                y,
                _n(max(x(rate) - label_width, 1)),
                colour,
                _n(x(ci_low)),
                y + 7,
                _n(x(ci_high)),
                y + 7,
                _n(x(ci_high) + 6),
                y + 11,
                f"{rate * 100:.0f}",
            )
        )
    description = "; ".join(f"{g.label}: {g.rate:.0%} ({g.ci_low:.0%}–{g.ci_high:.0%})" for g in judged)
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888"/>', label_width, TOP - 4, label_width, height - 16
    )
    return _svg(width=width, height=height, title=title, description=description, parts=[axis, *rows])


def _svg(*, width: int, height: int, title: str, description: str, parts: list[SafeString]) -> SafeString:
    return svg_frame(
        width=width, height=height, title=title, description=description, parts=parts, css_class="fairness-chart"
    )


def values_table(*, dates: list[datetime], series: dict[str, list[float | None]], labels: dict[str, str]) -> SafeString:
    head = format_html_join("", '<th scope="col">{}</th>', ((date_format(d, "j M Y"),) for d in dates))
    body = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (
                labels.get(key, key),
                format_html_join("", "<td>{}</td>", (("–" if v is None else f"{v:.2f}",) for v in values)),
            )
            for key, values in series.items()
        ),
    )
    return format_html("<table><thead><tr><th></th>{}</tr></thead><tbody>{}</tbody></table>", head, body)
