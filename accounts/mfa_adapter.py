"""allauth's MFA adapter, with authenticator secrets encrypted at rest (accounts.mfa_secrets)."""

from allauth.mfa.adapter import DefaultMFAAdapter

from accounts.mfa_secrets import decrypt_secret, encrypt_secret


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]  # allauth ships no type hints: its adapter is Any
    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)
