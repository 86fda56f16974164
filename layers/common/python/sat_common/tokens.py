"""Single-use secrets sent by e-mail: only their SHA-256 is ever stored.

A token has 256 bits from the OS CSPRNG, so a plain (unsalted, fast) hash is enough: nobody can
guess a preimage, and the hash works as a lookup key.
"""

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{32,128}$"  # noqa: S105 (a format)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two strings."""
    return hmac.compare_digest(a.encode(), b.encode())
