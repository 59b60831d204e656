from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Customers and staff"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in

        from accounts import checks  # noqa: F401 - registers the system checks
        from accounts.audit import record_staff_sign_in

        user_logged_in.connect(record_staff_sign_in, dispatch_uid="audit-staff-sign-in")


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    """Django admin, with a site that signs staff in through allauth and wants MFA."""

    default_site = "accounts.admin_site.PortalAdminSite"
