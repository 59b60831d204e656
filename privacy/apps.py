from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from privacy import checks  # noqa: F401 - registers the system checks
        from privacy.default_purposes import ensure_default_purposes
        from privacy.registry import autodiscover
        from privacy.roles import ensure_staff_roles

        post_migrate.connect(ensure_default_purposes, sender=self)
        post_migrate.connect(ensure_staff_roles, sender=self)

        # Each app's privacy.py declares its personal data, like admin.py.
        autodiscover()
