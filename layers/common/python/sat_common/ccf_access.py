"""CCF system access, shared by the catalog (writes), the token endpoint (issues) and the /sat authorizer
(verifies): main-table keys, the consumer-password hash and the signed access token.

Decision: docs/decisions/0040-ccf-client-ids-passwords-and-tokens.md.

Main-table items (PK / SK):
    CCF#<nit> / ACTIVATION              the Ministry activated the CCF role (status ACTIVE)
    CCF#<nit> / ASSIGN#<serviceId>      service assigned to the CCF: clientId, status ACTIVE/REVOKED
    CLIENT#<clientId> / CLIENT          Client ID -> (nit, serviceId): the token endpoint's lookup
    CLIENT#<clientId> / FAILURES        failed token requests of every source in the window; lockedUntil
    CLIENT#<clientId> / FAILURES#<src>  failed token requests of one source (hashed IP); lockedUntil
    CCF#<nit> / CONSUMER_PASSWORD       current and previous password hashes (never the password), their
                                        revision and `tokensNotBeforeRevision` (decision 0041)
    SERVICE#<serviceId> / PROFILE       the Ministry's catalog entry (state ACTIVE/INACTIVE)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from sat_common import aws, clock, keys

ACTIVE = "ACTIVE"
REVOKED = "REVOKED"
INACTIVE = "INACTIVE"
AUTHORIZED_ROLE = "CAJA_DE_SUBSIDIO_FAMILIAR"  # role item SK ROLE#<this>#<nit>, written by the delegation area
TOKEN_AUDIENCE = "sat-ccf-services"  # noqa: S105 - an audience name
TOKEN_ALGORITHM = "RS256"  # noqa: S105 - an algorithm name
KMS_SIGNING_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"
SESSION_PATH = "/sat/session"  # every valid token may call it (who am I); see the decision
PASSWORD_REVISION_CLAIM = "cpr"  # noqa: S105 - a claim name: the consumer password's revision (decision 0041)


def token_issuer(public_api_base_url: str) -> str:
    """The `iss` of this stage's access tokens: the token endpoint signs it, the /sat authorizer requires it and the
    RFC 8414 metadata states it. The API's configured https base URL (PUBLIC_API_BASE_URL), as RFC 8414 §2 wants
    an issuer to be (decision 0100)."""
    return public_api_base_url.strip().rstrip("/")


# --------------------------------------------------------------------------- keys
def activation_key(nit: str) -> dict[str, str]:
    return {"PK": keys.ccf(nit), "SK": "ACTIVATION"}


def assignment_key(nit: str, service_id: str) -> dict[str, str]:
    return {"PK": keys.ccf(nit), "SK": keys.assignment(service_id)}


def client_key(client_id: str) -> dict[str, str]:
    return {"PK": keys.client(client_id), "SK": "CLIENT"}


def failures_key(client_id: str, source: str | None = None) -> dict[str, str]:
    """All failures of the Client ID (source None), or those of one source (a hash, never the address)."""
    return {"PK": keys.client(client_id), "SK": keys.token_failures(source)}


def password_key(nit: str) -> dict[str, str]:
    return {"PK": keys.ccf(nit), "SK": "CONSUMER_PASSWORD"}


def service_key(service_id: str) -> dict[str, str]:
    return {"PK": keys.service(service_id), "SK": keys.PROFILE}


def role_key(username: str, nit: str) -> dict[str, str]:
    return {"PK": keys.person(username), "SK": keys.role(AUTHORIZED_ROLE, nit)}


def employer_key(nit: str) -> dict[str, str]:
    return {"PK": keys.employer(nit), "SK": keys.PROFILE}


# --------------------------------------------------------------------------- consumer password
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16


def hash_password(password: str, cost: int) -> dict[str, Any]:
    """scrypt with a per-password salt; `cost` is log2(N). The result holds no secret that helps guessing."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, cost, SCRYPT_R, SCRYPT_P)
    return {
        "alg": "scrypt",
        "cost": cost,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": base64.b64encode(salt).decode(),
        "hash": base64.b64encode(digest).decode(),
    }


def password_matches(password: str, stored: dict[str, Any] | None) -> bool:
    if not stored or stored.get("alg") != "scrypt":
        return False
    salt = base64.b64decode(str(stored["salt"]))
    digest = _scrypt(password, salt, int(stored["cost"]), int(stored["r"]), int(stored["p"]))
    return hmac.compare_digest(digest, base64.b64decode(str(stored["hash"])))


def _scrypt(password: str, salt: bytes, cost: int, r: int, p: int) -> bytes:
    n = 2**cost
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 1024 * 1024, dklen=32)


# --------------------------------------------------------------------------- access tokens
@dataclass(frozen=True)
class TokenClaims:
    nit: str
    service_id: str
    client_id: str
    jti: str
    issued_at: int
    expires_at: int
    password_revision: int = 0  # tokens issued before decision 0041 carry none: the oldest revision


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(
    key_id: str,
    issuer: str,
    nit: str,
    service_id: str,
    client_id: str,
    lifetime: int,
    password_revision: int,
) -> tuple[str, int]:
    """A JWT signed by the KMS asymmetric key (RS256); the private key never leaves KMS. `password_revision`
    is the revision of the consumer password that was presented (an immediate rotation revokes older ones)."""
    now = clock.epoch()
    header = {"alg": TOKEN_ALGORITHM, "typ": "at+jwt", "kid": key_id}
    claims = {
        "iss": issuer,
        "aud": TOKEN_AUDIENCE,
        "sub": client_id,
        "client_id": client_id,
        "ccf_nit": nit,
        "service_id": service_id,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        PASSWORD_REVISION_CLAIM: password_revision,
    }
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    signature = aws.client("kms").sign(
        KeyId=key_id, Message=signing_input.encode(), MessageType="RAW", SigningAlgorithm=KMS_SIGNING_ALGORITHM
    )["Signature"]
    return f"{signing_input}.{_b64(signature)}", lifetime


class InvalidToken(Exception):
    """The token is malformed, not ours, badly signed, expired or not yet valid."""


@cache
def _public_key(key_id: str) -> Any:
    """The KMS key's public half as a JWK, fetched once per process."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key
    from joserfc.jwk import RSAKey

    public = load_der_public_key(aws.client("kms").get_public_key(KeyId=key_id)["PublicKey"])
    return RSAKey.import_key(public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))


def public_jwks(key_id: str) -> dict[str, list[dict[str, str]]]:
    """The access tokens' verification key as a JWKS (RFC 7517): `kid` is the KMS key id the tokens' header
    names, `use` sig, `alg` RS256. Only this key: the notifications' key has its own JWKS (decision 0100)."""
    jwk = _public_key(key_id).as_dict(private=False)
    return {"keys": [{"kty": "RSA", "use": "sig", "alg": TOKEN_ALGORITHM, "kid": key_id, "n": jwk["n"], "e": jwk["e"]}]}


def verify_token(key_id: str, token: str, *, issuer: str, leeway: int = 0) -> TokenClaims:
    """Check the RS256 signature and, with joserfc's claims registry, `iss`, `aud`, `exp`, `nbf` and `iat`
    (all required); raise InvalidToken."""
    from joserfc import jwt
    from joserfc.errors import JoseError

    try:
        decoded = jwt.decode(token, _public_key(key_id), algorithms=[TOKEN_ALGORITHM])
    except (JoseError, ValueError, TypeError, UnicodeDecodeError) as error:
        raise InvalidToken("malformed or bad signature") from error
    if decoded.header.get("kid") != key_id:
        raise InvalidToken("unexpected key")
    claims = decoded.claims
    registry = jwt.JWTClaimsRegistry(
        now=clock.epoch,
        leeway=leeway,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": TOKEN_AUDIENCE},
        exp={"essential": True},
        nbf={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise InvalidToken(f"claims: {error.error}") from error
    revision = claims.get(PASSWORD_REVISION_CLAIM, 0)
    if not isinstance(revision, int) or isinstance(revision, bool):
        raise InvalidToken("bad password revision")
    try:
        return TokenClaims(
            nit=str(claims["ccf_nit"]),
            service_id=str(claims["service_id"]),
            client_id=str(claims["client_id"]),
            jti=str(claims["jti"]),
            issued_at=int(claims["iat"]),
            expires_at=int(claims["exp"]),
            password_revision=revision,
        )
    except KeyError as error:
        raise InvalidToken("missing claim") from error
