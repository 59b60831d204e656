"""`manage.py staff_mfa_invite EMAIL`: the first staff member's invitation, when there is no officer to send one."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import staff_mfa_invitation_issue


class Command(BaseCommand):
    help = (
        "E-mail a member of staff an invitation to set up two-factor authentication, and print the link. "
        "For the first staff member; afterwards privacy officers invite from the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"], is_staff=True, is_active=True).first()
        if user is None:
            raise CommandError(f"No active staff member with the address {options['email']}.")
        url = staff_mfa_invitation_issue(staff_user=user, issued_by_id=None)
        self.stdout.write(f"Invitation e-mailed to {user.email}. The link (valid once): {url}")
