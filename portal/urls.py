from django.contrib import admin
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.health import favicon, healthz, readyz
from portal.metrics import metrics

# Swagger UI sets inline styles on the elements it draws; the docs page alone
# allows that (its scripts still come only from our own static files).
API_DOCS_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

api_v1 = [
    path("", include("interactions.api.urls")),
    path("", include("fairness.api.urls")),
    path("", include("privacy.api.urls")),
]

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("privacy.urls")),
    path("", include("interactions.urls")),
    path("", include("fairness.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        csp_override(API_DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api_schema")),
        name="api_docs",
    ),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # Prometheus's scrape, behind METRICS_TOKEN.
    path("metrics", metrics, name="metrics"),
    # Browsers ask for /favicon.ico on pages (like the admin's) that name none.
    path("favicon.ico", favicon),
]

# JSON under /api/, the portal's own pages elsewhere.
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
