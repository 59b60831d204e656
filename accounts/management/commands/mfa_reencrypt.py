"""`manage.py mfa_reencrypt`: after putting a new key first in MFA_ENCRYPTION_KEY, move every secret onto it."""

from typing import Any

from django.core.management.base import BaseCommand

from accounts.mfa_secrets import mfa_secrets_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every authenticator secret under the newest MFA_ENCRYPTION_KEY. "
        "Run it after adding a key at the front of the list; then the old key can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = mfa_secrets_reencrypt()
        self.stdout.write(f"Re-encrypted the secrets of {count} authenticator(s) under the newest key.")
