from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("language/", views.set_language, name="set_language"),
    path("staff/two-factor/", views.staff_mfa_needed, name="staff_mfa_needed"),
    path("staff/two-factor/invitation/<str:token>/", views.staff_mfa_invitation, name="staff_mfa_invitation"),
]
