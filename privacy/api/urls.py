from django.urls import path

from privacy.api import views

urlpatterns = [
    path("ping/", views.PingView.as_view(), name="api_ping"),
    path("customers/<uuid:customer_id>/ai-permissions/", views.AIPermissionsView.as_view(), name="api_ai_permissions"),
    path("customers/<uuid:customer_id>/consents/", views.ConsentView.as_view(), name="api_consents"),
]
