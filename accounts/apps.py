from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Customers and staff"

    def ready(self) -> None:
        from allauth.account.signals import user_logged_in
        from allauth.mfa import signals as mfa_signals

        from accounts import checks  # noqa: F401 - registers the system checks
        from accounts.audit import record_staff_mfa_change, record_staff_sign_in
        from accounts.recent_authentication import count_sign_in_as_recent_authentication

        user_logged_in.connect(record_staff_sign_in, dispatch_uid="audit-staff-sign-in")
        user_logged_in.connect(count_sign_in_as_recent_authentication, dispatch_uid="sign-in-is-recent-authentication")
        for change, signal in (
            ("added", mfa_signals.authenticator_added),
            ("removed", mfa_signals.authenticator_removed),
            ("reset", mfa_signals.authenticator_reset),
        ):
            signal.connect(record_staff_mfa_change(change), dispatch_uid=f"audit-staff-mfa-{change}", weak=False)


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    """Django admin, with a site that signs staff in through allauth and wants MFA."""

    default_site = "accounts.admin_site.PortalAdminSite"
