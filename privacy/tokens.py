"""API tokens: made here, stored only as hashes."""

import hashlib
import secrets

TOKEN_PREFIX = "pp_"  # noqa: S105 - a label that tells our tokens apart, not a secret


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 (no salt, no stretching)
    # is enough to make a stolen database useless for calling the API.
    return hashlib.sha256(token.encode()).hexdigest()
