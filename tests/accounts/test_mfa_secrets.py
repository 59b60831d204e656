"""Authenticator secrets are encrypted at rest, keys rotate without a failed sign-in."""

import importlib
import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.management import call_command

from accounts.demo import DEMO_OFFICER_TOTP_SECRET, current_demo_totp_code
from accounts.mfa_secrets import decrypt_secret

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def old_key(settings):
    settings.MFA_ENCRYPTION_KEYS = [OLD_KEY]
    return settings


def totp_of(user) -> Authenticator:
    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)


def test_the_totp_secret_and_recovery_seed_are_not_stored_in_plain_text(alice, bob):
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    codes = RecoveryCodes.activate(alice)
    stored = totp_of(alice).data["secret"]
    assert DEMO_OFFICER_TOTP_SECRET not in stored
    assert decrypt_secret(stored) == DEMO_OFFICER_TOTP_SECRET
    seed = Authenticator.objects.get(user=alice, type=Authenticator.Type.RECOVERY_CODES).data["seed"]
    assert len(seed) > 80 and decrypt_secret(seed) != seed
    # And they still work: a code from the app, a recovery code.
    assert TOTP(totp_of(alice)).validate_code(current_demo_totp_code())
    assert codes.validate_code(codes.generate_codes()[0])
    assert not Authenticator.objects.filter(user=bob).exists()


def test_a_secret_encrypted_under_another_key_is_refused_not_guessed(alice, old_key):
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    old_key.MFA_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(InvalidToken):
        decrypt_secret(totp_of(alice).data["secret"])


def test_a_row_forged_with_a_plain_secret_in_the_database_does_not_validate(alice):
    # Someone who can write to the database but has no key cannot plant a
    # second factor they know.
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).update(
        data={"secret": DEMO_OFFICER_TOTP_SECRET}
    )
    with pytest.raises(InvalidToken):
        TOTP(totp_of(alice)).validate_code(current_demo_totp_code())


def test_keys_rotate_without_a_failed_sign_in_and_then_the_old_key_can_go(alice, old_key):
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    codes = RecoveryCodes.activate(alice)
    first_code = codes.generate_codes()[0]
    old_key.MFA_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]  # the new key added first
    assert TOTP(totp_of(alice)).validate_code(current_demo_totp_code())
    call_command("mfa_reencrypt", stdout=io.StringIO())
    old_key.MFA_ENCRYPTION_KEYS = [NEW_KEY]  # the old key removed
    assert TOTP(totp_of(alice)).validate_code(current_demo_totp_code(1))
    assert (
        RecoveryCodes(Authenticator.objects.get(user=alice, type=Authenticator.Type.RECOVERY_CODES)).generate_codes()[0]
        == first_code
    )


def test_the_migration_encrypts_secrets_stored_in_plain_text_before(alice, bob):
    TOTP.activate(alice, DEMO_OFFICER_TOTP_SECRET)
    Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).update(
        data={"secret": DEMO_OFFICER_TOTP_SECRET}
    )
    migration = importlib.import_module("accounts.migrations.0002_encrypt_mfa_secrets")
    migration.encrypt_plain_secrets(apps, None)
    migration.encrypt_plain_secrets(apps, None)  # a second run changes nothing
    assert decrypt_secret(totp_of(alice).data["secret"]) == DEMO_OFFICER_TOTP_SECRET
    assert TOTP(totp_of(alice)).validate_code(current_demo_totp_code())
