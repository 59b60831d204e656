from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import current_demo_totp_code


class Command(BaseCommand):
    help = "Print the demo privacy officer's current two-factor code (demo only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo_totp_code is for the demo and does not run with PORTAL_ENV=production")
        self.stdout.write(current_demo_totp_code())
