"""Formatting the audits' figures the same way on every staff screen and e-mail."""

from typing import Literal

from django import template

register = template.Library()


@register.filter
def p_value(value: float | Literal[""] | None) -> str:
    """A p-value to four places, and "< 0.0001" rather than a misleading 0.0000."""
    if value is None or value == "":
        return "—"
    return "< 0.0001" if value < 0.0001 else f"{value:.4f}"


@register.filter
def p_statement(value: float | Literal[""] | None) -> str:
    """ "p = 0.0123", or "p < 0.0001"."""
    if value is None or value == "":
        return "p: —"
    return "p < 0.0001" if value < 0.0001 else f"p = {value:.4f}"
