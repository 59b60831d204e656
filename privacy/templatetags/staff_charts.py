"""The compliance dashboard's charts: {% requests_chart figures %}, {% choices_charts figures %}, {% reviews_charts figures %}.

Each draws from `compliance_dashboard()`'s figures (no query of its own) a
figure: the SVG, its key, and the numbers behind it in a table.
"""

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from privacy.charts import (
    Scale,
    Series,
    Style,
    column_chart,
    count_text,
    legend,
    line_chart,
    share_text,
    style,
    weekly_table,
)
from privacy.models import AIPurpose, PurposeSlug
from privacy.selectors import Week

register = template.Library()

OPENED = Style("#0072B2", "square")
CLOSED_ON_TIME = Style("#007A5A", "square")
CLOSED_LATE = Style("#D55E00", "square", hatched=True)
PAST_DUE = Style("#B42318", "diamond", "5 3")
REVIEWS = Style("#0072B2", "square")
FLAGS = Style("#A6427B", "square", hatched=True)


def _labels(weeks: Sequence[Week]) -> list[str]:
    return [date_format(week.start, "j M") for week in weeks]


def _row_labels(weeks: Sequence[Week]) -> list[str]:
    """The table's week column: the last week is the one under way."""
    labels = [date_format(week.start, "j M Y") for week in weeks]
    return [*labels[:-1], f"{labels[-1]} (this week, so far)"] if labels else labels


def _figure(*, title: str, chart: SafeString, key: SafeString, table: SafeString, note: str = "") -> SafeString:
    """One chart with its caption and key, and its numbers folded away beneath it.

    The chart's box, its key inside, is white in either colour theme (the
    colours are chosen against white). It scrolls sideways on a phone rather
    than shrink the chart's text below reading size; being focusable, it
    scrolls from the keyboard too.
    """
    return format_html(
        '<figure class="chart-figure"><figcaption>{}</figcaption>{}'
        '<div class="chart-box" role="group" tabindex="0" aria-label="{}">{}{}</div>'
        '<details class="chart-figures"><summary>The figures behind the chart</summary>'
        '<div class="table-scroll" role="group" tabindex="0" aria-label="{}">{}</div></details></figure>',
        title,
        format_html('<p class="chart-note">{}</p>', note) if note else "",
        f"Chart: {title}",
        chart,
        key,
        f"Figures: {title}",
        table,
    )


@register.simple_tag
def requests_chart(figures: dict[str, Any]) -> SafeString:
    weeks, by_week = figures["weeks"], figures["requests_by_week"]
    opened = Series("Opened", by_week["opened"], OPENED)
    on_time = Series("Closed on time", by_week["on_time"], CLOSED_ON_TIME)
    late = Series("Closed late", by_week["late"], CLOSED_LATE)
    past_due = Series("Open past their deadline at the week's end", by_week["past_due"], PAST_DUE)
    title = "Privacy requests per week: opened, closed on time or late, and open past their deadline"
    series = (opened, on_time, late, past_due)
    return _figure(
        title=title,
        note="Closed means completed, denied or cancelled; late means after the deadline in force (with any "
        "extension). A failed job counts as neither until it is retried.",
        chart=column_chart(title=title, labels=_labels(weeks), stacks=[[opened], [on_time, late]], lines=[past_due]),
        key=legend(name=title, bars=[opened, on_time, late], lines=[past_due]),
        table=weekly_table(
            caption=title,
            labels=_row_labels(weeks),
            columns=[(s.label, [count_text(v or 0) for v in s.values]) for s in series],
        ),
    )


@register.filter
def staff_name(purpose: AIPurpose) -> str:
    """The purpose's name as the business's systems know it (the customer's wording is longer)."""
    return PurposeSlug(purpose.slug).label if purpose.slug in PurposeSlug.values else purpose.name


@register.filter
def share(rate: float) -> str:
    return share_text(rate)


@register.simple_tag
def choices_charts(figures: dict[str, Any]) -> SafeString:
    """Two charts: opt-out rates of the uses on by default, opt-in rates of those off until chosen."""
    weeks, customers = figures["weeks"], figures["customers_by_week"]
    rows = [(index, row) for index, row in enumerate(figures["opt_out"])]
    charts = []
    for measure, title, note in (
        (
            "opt-out",
            "Opt-out rate per use of AI at each week's end (uses that are on by default)",
            "Customers who switched the use off, or asked to be served by people only, of all customers.",
        ),
        (
            "opt-in",
            "Opt-in rate per use of AI at each week's end (uses that are off until a customer opts in)",
            "Customers who switched the use on (and do not ask for people only), of all customers.",
        ),
    ):
        chosen = [(index, row) for index, row in rows if row["measure"] == measure]
        if not chosen:
            continue
        series = [Series(staff_name(row["purpose"]), row["rates_by_week"], style(index)) for index, row in chosen]
        scale = Scale.for_shares([v for s in series for v in s.values])
        columns = [("Customers", [count_text(c) for c in customers])]
        columns += [
            (
                staff_name(row["purpose"]),
                [
                    "–" if rate is None else f"{share_text(rate)} ({count})"
                    for rate, count in zip(row["rates_by_week"], row["counts_by_week"], strict=True)
                ],
            )
            for _, row in chosen
        ]
        charts.append(
            _figure(
                title=title,
                note=note,
                chart=line_chart(title=title, labels=_labels(weeks), series=series, scale=scale),
                key=legend(name=title, lines=series),
                table=weekly_table(caption=title, labels=_row_labels(weeks), columns=columns),
            )
        )
    return format_html('<div class="chart-grid">{}</div>', format_html_join("", "{}", ((c,) for c in charts)))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@register.simple_tag
def reviews_charts(figures: dict[str, Any]) -> SafeString:
    """A small chart per AI system with reviews or flags in the period, all on one scale to compare them."""
    weeks = figures["weeks"]
    active = [row for row in figures["systems"] if any(row["reviews_by_week"]) or any(row["flags_by_week"])]
    quiet = [row["system"].name for row in figures["systems"] if row not in active]
    scale = Scale.for_counts([v for row in active for v in (*row["reviews_by_week"], *row["flags_by_week"])])
    charts = []
    for row in active:
        reviews = Series("Human reviews asked", row["reviews_by_week"], REVIEWS)
        flags = Series("Flags raised", row["flags_by_week"], FLAGS)
        title = f"{row['system'].name}: human reviews asked and flags raised per week"
        charts.append(
            _figure(
                title=title,
                note=f"In {len(weeks)} weeks: {_count(sum(row['reviews_by_week']), 'review')} asked, "
                f"{_count(sum(row['flags_by_week']), 'flag')} raised.",
                chart=column_chart(
                    title=title,
                    labels=_labels(weeks),
                    stacks=[[reviews], [flags]],
                    scale=scale,
                    height=170,
                ),
                key=legend(name=title, bars=[reviews, flags]),
                table=weekly_table(
                    caption=title,
                    labels=_row_labels(weeks),
                    columns=[(s.label, [count_text(v or 0) for v in s.values]) for s in (reviews, flags)],
                ),
            )
        )
    none = (
        format_html('<p class="chart-note">No reviews or flags in {} weeks: {}.</p>', len(weeks), ", ".join(quiet))
        if quiet
        else ""
    )
    return format_html('<div class="chart-grid">{}</div>{}', format_html_join("", "{}", ((c,) for c in charts)), none)
