from django.urls import path

from fairness import views

urlpatterns = [
    path("fairness/", views.volunteer, name="fairness_volunteer"),
    path("fairness/withdraw/", views.withdraw, name="fairness_withdraw"),
]
