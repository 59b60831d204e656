"""The demo data set: who exists, and with which known sign-ins.

Only for the embedded default and tests; `seed_demo` refuses to run in
production because these passwords are printed for everyone to read.
"""

import datetime
import time
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator

# allauth's own activation helpers are what its views call; the demo needs an
# authenticator with a secret printed in advance, which no view offers.
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from privacy.demo import demo_seeder

DEMO_PASSWORD_SUFFIX = "-demo-2026"  # noqa: S105 - printed for everyone by `make run`, refused in production
# A valid base32 TOTP secret, printed by `make run` so a newcomer can add it
# to an authenticator app (or use `make totp`).
DEMO_OFFICER_TOTP_SECRET = "PORTALDEMOOFFICERSECRETKEY234567"  # noqa: S105 - the demo officer's, printed too


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    password: str
    is_staff: bool = False
    phone: str = ""
    address_line1: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    preferred_language: str = "en"


DEMO_PEOPLE = (
    DemoPerson(
        "alice@example.com",
        "Alice Archer",
        "alice" + DEMO_PASSWORD_SUFFIX,
        phone="+44 20 7946 0011",
        address_line1="12 Harbour Street",
        postal_code="BS1 4QA",
        city="Bristol",
        country="United Kingdom",
    ),
    DemoPerson(
        "bob@example.com",
        "Bob Brennan",
        "bob" + DEMO_PASSWORD_SUFFIX,
        phone="+353 1 555 0142",
        address_line1="4 Quay Road",
        postal_code="D02 X285",
        city="Dublin",
        country="Ireland",
    ),
    DemoPerson(
        "charlie@example.com",
        "Charlie Chen",
        "charlie" + DEMO_PASSWORD_SUFFIX,
        phone="+49 30 5550 1234",
        address_line1="Torstraße 7",
        postal_code="10119",
        city="Berlin",
        country="Germany",
        preferred_language="de",
    ),
    DemoPerson("officer@example.com", "Olivia Okafor", "officer" + DEMO_PASSWORD_SUFFIX, is_staff=True),
)


# The demo's history (interactions/demo.py) reaches back a year: the people
# joined before it began. Midnight, so seeding twice on one day changes nothing.
DEMO_MEMBERSHIP_DAYS = 400


def demo_joined_at() -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=DEMO_MEMBERSHIP_DAYS)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@transaction.atomic
def seed_demo_people() -> list[User]:
    users = []
    joined_at = demo_joined_at()
    for person in DEMO_PEOPLE:
        user, _ = User.objects.update_or_create(
            email=person.email,
            defaults={
                "full_name": person.full_name,
                "phone": person.phone,
                "address_line1": person.address_line1,
                "postal_code": person.postal_code,
                "city": person.city,
                "country": person.country,
                "preferred_language": person.preferred_language,
                "is_staff": person.is_staff,
                "is_superuser": False,
                "is_active": True,
                "date_joined": joined_at,
            },
        )
        user.set_password(person.password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=person.email, defaults={"verified": True, "primary": True}
        )
        if person.is_staff:
            _ensure_demo_totp(user)
            user.groups.add(Group.objects.get(name="Privacy officer"))
        users.append(user)
    return users


@demo_seeder(order=10)
def seed_people_and_list_sign_ins() -> list[str]:
    seed_demo_people()
    lines = ["Sign in with:"]
    for person in DEMO_PEOPLE:
        role = "privacy officer (staff)" if person.is_staff else "customer"
        lines.append(f"  {person.email:<22} {person.password:<22} {role}")
    lines.append(
        "  The privacy officer also needs a code from an authenticator app set up with the secret\n"
        f"  {DEMO_OFFICER_TOTP_SECRET} — or run `make totp` to print the current code."
    )
    return lines


def _ensure_demo_totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_OFFICER_TOTP_SECRET)
    RecoveryCodes.activate(user)


def current_demo_totp_code(counter_offset: int = 0) -> str:
    counter = int(time.time()) // app_settings.TOTP_PERIOD + counter_offset
    code: str = format_hotp_value(hotp_value(DEMO_OFFICER_TOTP_SECRET, counter))
    return code
