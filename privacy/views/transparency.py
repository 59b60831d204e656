from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from privacy.models import AISystem


@require_GET
def ai_transparency(request):
    systems = AISystem.objects.filter(is_active=True).prefetch_related("purposes")
    return render(request, "privacy/transparency.html", {"systems": systems})


@require_GET
@cache_control(max_age=86400, public=True)
def gpc_json(request):
    # https://privacycg.github.io/gpc-spec/ : we honour the signal.
    return JsonResponse({"gpc": True, "lastUpdate": "2026-11-26"})
