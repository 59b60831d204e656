"""Encrypt the authenticator secrets stored before they were encrypted at rest.

Self-contained on purpose (a migration must not change with live code): it
reads settings.MFA_ENCRYPTION_KEYS, encrypts each plain TOTP key and
recovery-code seed under the first, and leaves those already encrypted.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import migrations

FIELDS = {"totp": ("secret",), "recovery_codes": ("seed",)}
LISTS = {"recovery_codes": ("migrated_codes",)}


def _convert_all(apps, convert):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=list(FIELDS)):
        data = dict(authenticator.data)
        for field in FIELDS[authenticator.type]:
            if field in data:
                data[field] = convert(data[field])
        for field in LISTS.get(authenticator.type, ()):
            if data.get(field) is not None:
                data[field] = [convert(value) for value in data[field]]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt_plain_secrets(apps, schema_editor):
    fernet = MultiFernet([Fernet(key) for key in settings.MFA_ENCRYPTION_KEYS])

    def encrypt(value):
        try:
            fernet.decrypt(value.encode())
        except InvalidToken:
            return fernet.encrypt(value.encode()).decode()
        return value  # encrypted already

    _convert_all(apps, encrypt)


def decrypt_secrets(apps, schema_editor):
    fernet = MultiFernet([Fernet(key) for key in settings.MFA_ENCRYPTION_KEYS])
    _convert_all(apps, lambda value: fernet.decrypt(value.encode()).decode())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_plain_secrets, decrypt_secrets)]
