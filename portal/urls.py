from django.contrib import admin
from django.urls import include, path

from portal.health import healthz

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("privacy.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
