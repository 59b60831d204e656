from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_safe

from privacy.models import AISystem
from privacy.panels import render_system_panels


@require_GET
def ai_transparency(request: HttpRequest) -> HttpResponse:
    systems = list(AISystem.objects.filter(is_active=True).prefetch_related("purposes"))
    # Figures other apps measure about each system (the fairness audits), without privacy importing them.
    panels = render_system_panels("transparency_system", systems=systems, request=request)
    return render(request, "privacy/transparency.html", {"cards": [(system, panels[system.pk]) for system in systems]})


# HEAD as well as GET (RFC 9110 asks it of every GET resource): clients check the file with it.
@require_safe
@cache_control(max_age=86400, public=True)
def gpc_json(request: HttpRequest) -> JsonResponse:
    # https://privacycg.github.io/gpc-spec/ : we honour the signal.
    return JsonResponse({"gpc": True, "lastUpdate": "2026-11-26"})
