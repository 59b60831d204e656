"""Customers read every date one way: the language's DATE_FORMAT or DATETIME_FORMAT."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Staff pages and staff e-mails may write ISO dates for sorting and scanning.
STAFF_ONLY = ("privacy/admin/", "fairness/admin/", "fairness/email/", "privacy/email/staff_", "fairness/panels/staff_")
DATE_FILTER = re.compile(r"""\|date(?::["']([^"']*)["'])?""")
ALLOWED = {None, "DATE_FORMAT", "DATETIME_FORMAT", "c"}  # "c": machine-readable, inside <time datetime="">


def customer_templates():
    for path in TEMPLATES.rglob("*"):
        name = path.relative_to(TEMPLATES).as_posix()
        if path.is_file() and not name.startswith(STAFF_ONLY):
            yield name, path.read_text()


def test_no_customer_template_writes_a_date_format_of_its_own():
    own_formats = [
        (name, match.group(0))
        for name, text in customer_templates()
        for match in DATE_FILTER.finditer(text)
        if match.group(1) not in ALLOWED
    ]
    assert own_formats == []


def test_an_english_date_reads_day_month_year_and_other_languages_keep_their_own():
    moment = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
    template = Template('{{ moment|date:"DATE_FORMAT" }} · {{ moment|date:"DATETIME_FORMAT" }}')
    with translation.override("en"):
        assert template.render(Context({"moment": moment})) == "30 November 2026 · 30 November 2026, 14:05"
    with translation.override("de"):
        assert template.render(Context({"moment": moment})).startswith("30. November 2026")


@pytest.mark.parametrize(
    ("language", "date", "date_and_time"),
    [
        ("en", "1 December 2026", "1 December 2026, 14:05"),
        ("de", "1. Dezember 2026", "1. Dezember 2026, 14:05"),
        ("es", "1 de diciembre de 2026", "1 de diciembre de 2026, 14:05"),
    ],
)
def test_every_language_writes_a_date_and_a_time_the_portals_way(language, date, date_and_time):
    moment = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)
    template = Template('{{ moment|date:"DATE_FORMAT" }} · {{ moment|date:"DATETIME_FORMAT" }}')
    with translation.override(language):
        assert template.render(Context({"moment": moment})) == f"{date} · {date_and_time}"


def test_each_language_defines_every_format_english_does():
    from portal.formats.de import formats as german
    from portal.formats.en import formats as english
    from portal.formats.es import formats as spanish

    names = {name for name in vars(english) if name.endswith("_FORMAT")}
    for module in (german, spanish):
        assert names <= set(vars(module)), module.__name__
