"""Customers read every date one way: the language's DATE_FORMAT or DATETIME_FORMAT."""

import re
from datetime import UTC, datetime
from pathlib import Path

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
