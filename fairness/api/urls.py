from django.urls import path

from fairness.api import views

urlpatterns = [
    path("monitoring-attributes/", views.MonitoringAttributesView.as_view(), name="api_monitoring_attributes"),
]
