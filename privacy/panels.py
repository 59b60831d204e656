"""Panels that other apps add to privacy's pages.

The staff dashboard, the public "How we use AI" page and the customer's
dashboard show figures that other apps own (fairness audits, for one). Those
apps register a panel in their own `privacy.py`, discovered at start-up with
the personal-data registry, so privacy renders them without importing them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from privacy.models import AISystem

# Where a panel can go, and what its context provider is called with.
PLACES = {
    # The staff's compliance dashboard: provider(request=...) -> context.
    "staff_dashboard": "page",
    # Each AI system's card on the transparency page:
    # provider(systems=[...]) -> {system.pk: context}, one call for every card.
    "transparency_system": "per_system",
    # Links on the customer's dashboard, in its "AI and you" card:
    # provider(request=...) -> context.
    "customer_ai_links": "page",
}


@dataclass(frozen=True)
class Panel:
    place: str
    template_name: str
    context: Callable[..., dict[Any, Any]]
    order: int = 100


class PanelRegistry:
    def __init__(self) -> None:
        self._panels: list[Panel] = []

    def register(
        self, place: str, *, template_name: str, context: Callable[..., dict[Any, Any]], order: int = 100
    ) -> Panel:
        if place not in PLACES:
            raise ValueError(f"unknown panel place {place!r}; use one of {sorted(PLACES)}")
        panel = Panel(place, template_name, context, order)
        self._panels.append(panel)
        return panel

    def for_place(self, place: str) -> list[Panel]:
        return sorted((p for p in self._panels if p.place == place), key=lambda p: p.order)

    def forget(self, panels: Iterable[Panel]) -> None:
        """Drop panels (tests that register throw-away panels use this)."""
        dropped = set(map(id, panels))
        self._panels = [p for p in self._panels if id(p) not in dropped]


panels = PanelRegistry()


def render_page_panels(place: str, *, request: HttpRequest | None) -> SafeString:
    """Every panel of a page-level place, rendered in order."""
    rendered = [
        render_to_string(panel.template_name, panel.context(request=request), request=request)
        for panel in panels.for_place(place)
    ]
    return mark_safe("".join(rendered))  # noqa: S308 - templates autoescape their own values


def render_system_panels(place: str, *, systems: list[AISystem], request: HttpRequest) -> dict[int, SafeString]:
    """Each AI system's panels: one provider call per panel, whatever the number of systems."""
    rendered: dict[int, list[str]] = {system.pk: [] for system in systems}
    for panel in panels.for_place(place):
        contexts = panel.context(systems=systems)
        for system in systems:
            if system.pk in contexts:
                rendered[system.pk].append(render_to_string(panel.template_name, contexts[system.pk], request=request))
    return {pk: mark_safe("".join(parts)) for pk, parts in rendered.items()}  # noqa: S308
