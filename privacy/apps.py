from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from privacy import checks  # noqa: F401 - registers the system checks
        from privacy.registry import autodiscover

        # Each app's privacy.py declares its personal data, like admin.py.
        autodiscover()
