"""The Ministry's notification signature: KMS keys behind aliases that rotate, the JWKS, and a detached JWS whose
protected header binds the notification to its receiver and moment (decisions 0062, 0103, 0104).

Three alias slots (`<base>-current`, `<base>-next`, `<base>-previous`, see `slot_aliases`): the worker signs with
`current`; the JWKS publishes current, next and previous, so a receiver that cached the JWKS already knows the key
that becomes current, and notifications signed just before a rotation still verify. `python -m ops signing-key
rotate` moves the aliases (ops/signing_key.py). A setting may also name a plain key id (one key, no rotation).

The protected header (decision 0103): `alg` RS256, `kid` (RFC 7638 thumbprint of the key that signed), `typ`
`sat-notificacion+jws`, `cty` json, `iat` (seconds), `aud` (the CCF's NIT) and `jti` (= the Idempotency-Key
header). A receiver checks them, so a notification captured for one CCF does not replay to another.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from sat_common import aws, clock

ALGORITHM = "RS256"
KMS_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"
TYP = "sat-notificacion+jws"
KMS_RAW_LIMIT = 4096  # KMS signs RAW messages up to 4 KiB; a notification is ~0.5 KiB
SLOTS = ("current", "next", "previous")
RESOLVE_TTL_SECONDS = 60.0  # how long a worker trusts its alias -> key mapping (the Sign answer corrects it)


class SigningKeyMissing(LookupError):
    """The alias (or key) that must sign does not exist."""


def slot_aliases(base: str) -> dict[str, str]:
    """`alias/sat-dev-notification-signing` -> {"current": "...-current", "next": "...-next", ...}."""
    return {slot: f"{base}-{slot}" for slot in SLOTS}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _key_id(arn_or_id: str) -> str:
    """Moto and KMS answer either the bare key id or its ARN: compare the id."""
    return arn_or_id.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class PublicKey:
    key_id: str  # the KMS key id (not the alias)
    jwk: dict[str, str]

    @property
    def kid(self) -> str:
        return self.jwk["kid"]


def _jwk(der: bytes) -> dict[str, str]:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    public = load_der_public_key(der)
    if not isinstance(public, rsa.RSAPublicKey):
        raise ValueError("the notification signing key must be RSA")
    numbers = public.public_numbers()
    n = _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big"))
    e = _b64(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big"))
    thumbprint = _b64(
        hashlib.sha256(json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":")).encode()).digest()
    )
    return {"kty": "RSA", "use": "sig", "alg": ALGORITHM, "kid": thumbprint, "n": n, "e": e}


def public_key(key_ref: str) -> PublicKey | None:
    """The key an alias (or key id) names now, with its JWK; None when the alias does not exist."""
    from botocore.exceptions import ClientError

    try:
        response = aws.client("kms").get_public_key(KeyId=key_ref)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NotFoundException":
            return None
        raise
    return PublicKey(key_id=_key_id(str(response["KeyId"])), jwk=_jwk(response["PublicKey"]))


def jwks(key_refs: list[str]) -> dict[str, list[dict[str, str]]]:
    """The JWKS of the given slots (current first), one entry per distinct key; missing aliases are skipped."""
    keys: list[dict[str, str]] = []
    for ref in key_refs:
        found = public_key(ref) if ref else None
        if found and all(key["kid"] != found.kid for key in keys):
            keys.append(found.jwk)
    return {"keys": keys}


class Signer:
    """Signs with the key an alias names; caches the alias -> key mapping briefly and re-reads it when KMS says
    it signed with another key (the alias moved), so `kid` always names the key that signed."""

    def __init__(self, key_ref: str, ttl_seconds: float = RESOLVE_TTL_SECONDS) -> None:
        self.key_ref = key_ref
        self.ttl_seconds = ttl_seconds
        self._cached: tuple[PublicKey, float] | None = None
        self._lock = threading.Lock()

    def _current(self, fresh: bool) -> PublicKey:
        with self._lock:
            if not fresh and self._cached and self._cached[1] > time.monotonic():
                return self._cached[0]
            found = public_key(self.key_ref)
            if found is None:
                raise SigningKeyMissing(self.key_ref)
            self._cached = (found, time.monotonic() + self.ttl_seconds)
            return found

    def sign(self, body: bytes, *, audience: str, jti: str) -> str:
        """Detached compact JWS (`<protected>..<signature>`, RFC 7515 appendix F) over the exact body bytes."""
        for fresh in (False, True):
            key = self._current(fresh)
            header = {
                "alg": ALGORITHM,
                "kid": key.kid,
                "typ": TYP,
                "cty": "json",
                "iat": clock.epoch(),
                "aud": audience,
                "jti": jti,
            }
            protected = _b64(json.dumps(header, separators=(",", ":")).encode())
            signing_input = f"{protected}.{_b64(body)}".encode()
            if len(signing_input) > KMS_RAW_LIMIT:
                raise ValueError("notification too large to sign")
            response: dict[str, Any] = aws.client("kms").sign(
                KeyId=self.key_ref, Message=signing_input, MessageType="RAW", SigningAlgorithm=KMS_ALGORITHM
            )
            if _key_id(str(response["KeyId"])) == key.key_id:
                return f"{protected}..{_b64(response['Signature'])}"
        raise RuntimeError("the signing alias keeps moving; try again")  # two moves within one call
