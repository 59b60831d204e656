"""The fairness charts are drawn in the staff's shared chart frame, in colours that carry enough contrast."""

from datetime import datetime, timedelta

from django.utils import timezone

from fairness import charts
from fairness.attributes import ATTRIBUTES
from tests.privacy.test_charts import colours_drawn, contrast


def test_every_attributes_line_has_3_to_1_contrast_with_the_white_it_is_drawn_on():
    now = timezone.now()
    dates: list[datetime] = [now - timedelta(days=30 * i) for i in (2, 1, 0)]
    svg = charts.impact_ratio_chart(
        title="Lowest impact ratio per attribute over time: Refund assistant",
        dates=dates,
        series={key: [0.95, 0.9, 0.85] for key in ATTRIBUTES},
        labels={key: attribute.short for key, attribute in ATTRIBUTES.items()},
        alert_ratio=0.8,
        watch_ratio=0.9,
    )
    assert len(ATTRIBUTES) >= 5
    drawn = colours_drawn(svg)
    assert len(drawn) >= len(ATTRIBUTES)
    assert {colour: round(contrast(colour), 2) for colour in drawn if contrast(colour) < 3} == {}
    assert svg.startswith('<svg class="fairness-chart" ') and 'role="img"' in svg
