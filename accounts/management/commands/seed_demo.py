from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_OFFICER_TOTP_SECRET, DEMO_PEOPLE, seed_demo_people


class Command(BaseCommand):
    help = "Create (or reset) the demo customers and privacy officer. Safe to run again."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo prints known passwords and must not run with PORTAL_ENV=production")
        seed_demo_people()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for person in DEMO_PEOPLE:
            role = "privacy officer (staff)" if person.is_staff else "customer"
            self.stdout.write(f"  {person.email:<22} {person.password:<22} {role}")
        self.stdout.write(
            f"  The privacy officer also needs a code from an authenticator app set up with the secret\n"
            f"  {DEMO_OFFICER_TOTP_SECRET} — or run `make totp` to print the current code."
        )
