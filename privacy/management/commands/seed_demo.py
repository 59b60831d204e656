from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from privacy.demo import run_demo_seeders


class Command(BaseCommand):
    help = "Create (or reset) the demo data: customers, staff, AI systems, history. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        # It creates a superuser whose password and second factor are printed
        # for anyone to read: only ever on a development set-up.
        if settings.PRODUCTION or not settings.DEBUG:
            raise CommandError(
                "seed_demo prints known passwords: it runs only in development (DEBUG on, not production)"
            )
        lines = run_demo_seeders()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        for line in lines:
            self.stdout.write(line)
