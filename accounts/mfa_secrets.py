"""Authenticator secrets encrypted at rest: TOTP keys and recovery-code seeds.

allauth stores them in the database and passes each through its MFA
adapter's encrypt/decrypt. Here they are Fernet tokens (AES-128-CBC with an
HMAC-SHA256), under keys that live in the environment (MFA_ENCRYPTION_KEY),
never in the database: a copy of the database alone gives no one a second
factor. MFA_ENCRYPTION_KEY lists keys newest first; every key decrypts, the
first encrypts, so keys are rotated without a sign-in failing (see the README).
"""

from collections.abc import Callable
from functools import cache

from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import transaction

# Where allauth keeps each authenticator type's secrets in Authenticator.data.
SECRET_FIELDS = {Authenticator.Type.TOTP: ("secret",), Authenticator.Type.RECOVERY_CODES: ("seed",)}
SECRET_LISTS = {Authenticator.Type.RECOVERY_CODES: ("migrated_codes",)}


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.MFA_ENCRYPTION_KEYS))


def encrypt_secret(text: str) -> str:
    return _current().encrypt(text.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The secret, or InvalidToken when no configured key made it (a wrong key, or a forged row)."""
    return _current().decrypt(token.encode()).decode()


def _rewrite(authenticator: Authenticator, convert: Callable[[str], str]) -> bool:
    data = dict(authenticator.data)
    changed = False
    for field in SECRET_FIELDS.get(authenticator.type, ()):
        if field in data:
            data[field], changed = convert(data[field]), True
    for field in SECRET_LISTS.get(authenticator.type, ()):
        if data.get(field) is not None:
            data[field], changed = [convert(value) for value in data[field]], True
    if changed:
        authenticator.data = data
        authenticator.save(update_fields=["data"])
    return changed


def mfa_secrets_reencrypt() -> int:
    """Re-encrypt every stored secret under the newest key (after adding one); returns how many authenticators."""
    rotate = _current().rotate
    with transaction.atomic():
        return sum(
            _rewrite(authenticator, lambda token: rotate(token.encode()).decode())
            for authenticator in Authenticator.objects.select_for_update().filter(type__in=list(SECRET_FIELDS))
        )
