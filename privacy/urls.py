from django.urls import path

from privacy import views

urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/<str:source_key>/", views.my_data_source, name="my_data_source"),
]
