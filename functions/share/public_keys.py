"""The CCF's public key or X.509 certificate (PEM), checked with `cryptography` (decision 0050).

Accepted: one PEM block, a public key (SubjectPublicKeyInfo or PKCS#1 RSA) or a certificate currently
valid; RSA 2048..8192 bits, or EC on P-256 / P-384. Refused: private keys (with a specific message),
several blocks, other algorithms (DSA, P-521, Ed25519/Ed448, X25519/X448), expired or not-yet-valid
certificates. The Ministry encrypts to this key (JWE RSA-OAEP-256 or ECDH-ES), so it must be usable
for that. A service holds up to two keys (decision 0102), each named by its RFC 7638 thumbprint (`kid`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sat_common import clock

MIN_RSA_BITS = 2048
MAX_RSA_BITS = 8192
CURVES = {"secp256r1": "P-256", "secp384r1": "P-384"}
_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")


class KeyProblem(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        self.key = key  # sat_common.i18n FIELD_MESSAGES key
        self.params = params
        super().__init__(key)


@dataclass(frozen=True)
class ParsedKey:
    pem: str  # normalized: the block only, "\n" line ends, trailing newline
    key_type: str  # "RSA-2048", "EC-P-256", ...
    form: str  # "PUBLIC_KEY" or "CERTIFICATE"
    fingerprint: str  # SHA-256 of the SubjectPublicKeyInfo DER, hex
    not_after: str | None = None  # certificates only, clock.stamp form
    kid: str = ""  # RFC 7638 JWK thumbprint (SHA-256, base64url): the pull's JWE names it (decision 0102)


def _iso(moment: datetime) -> str:
    """A certificate's date in the message a person reads (as before the one timestamp format)."""
    return moment.isoformat(timespec="seconds")


def parse_stored(pem: str) -> ParsedKey:
    """A key already registered: read again without the "valid now" rule (a certificate may have expired since)."""
    return parse(pem, check_validity=False)


def parse(text: str, check_validity: bool = True) -> ParsedKey:
    # cryptography loads on the first key read, not at cold start (docs/decisions/0116)
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    normalized = text.replace("\r\n", "\n").strip()
    labels = _BLOCK.findall(normalized)
    if any("PRIVATE" in label for label in labels):
        raise KeyProblem("public_key_private")
    if len(labels) != 1:
        raise KeyProblem("public_key_multiple" if len(labels) > 1 else "public_key_invalid")
    pem = normalized + "\n"
    not_after = None
    public_key: Any
    try:
        if labels[0] == "CERTIFICATE":
            certificate = x509.load_pem_x509_certificate(pem.encode())
            now = clock.now()
            if check_validity and certificate.not_valid_after_utc < now:
                raise KeyProblem("certificate_expired", notAfter=_iso(certificate.not_valid_after_utc))
            if check_validity and certificate.not_valid_before_utc > now:
                raise KeyProblem("certificate_not_yet_valid", notBefore=_iso(certificate.not_valid_before_utc))
            public_key = certificate.public_key()
            form, not_after = "CERTIFICATE", clock.stamp(certificate.not_valid_after_utc)
        elif labels[0] in {"PUBLIC KEY", "RSA PUBLIC KEY"}:
            public_key = serialization.load_pem_public_key(pem.encode())
            form = "PUBLIC_KEY"
        else:
            raise KeyProblem("public_key_invalid")
    except KeyProblem:
        raise
    except (ValueError, TypeError) as error:
        raise KeyProblem("public_key_invalid") from error

    if isinstance(public_key, rsa.RSAPublicKey):
        bits = public_key.key_size
        if not MIN_RSA_BITS <= bits <= MAX_RSA_BITS:
            raise KeyProblem("public_key_rsa_size", bits=bits)
        key_type = f"RSA-{bits}"
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        curve = CURVES.get(public_key.curve.name)
        if curve is None:
            raise KeyProblem("public_key_algorithm", algorithm=f"EC {public_key.curve.name}")
        key_type = f"EC-{curve}"
    else:
        raise KeyProblem("public_key_algorithm", algorithm=type(public_key).__name__.removesuffix("PublicKey"))
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return ParsedKey(
        pem=pem,
        key_type=key_type,
        form=form,
        fingerprint=hashlib.sha256(spki).hexdigest(),
        not_after=not_after,
        kid=thumbprint(public_key),
    )


def thumbprint(public_key: Any) -> str:
    """RFC 7638 thumbprint of an RSA or EC public key, as every JOSE library computes it (joserfc here)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from joserfc.jwk import ECKey, RSAKey

    spki = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    key = RSAKey.import_key(spki) if isinstance(public_key, rsa.RSAPublicKey) else ECKey.import_key(spki)
    return str(key.thumbprint())


def describe(parsed: ParsedKey, added_at: str) -> dict[str, Any]:
    """The metadata of one registered key (docs/data-model.md `publicKeys`); the PEM stays in the secret."""
    return {
        "kid": parsed.kid,
        "keyType": parsed.key_type,
        "format": parsed.form,
        "fingerprint": parsed.fingerprint,
        "certificateNotAfter": parsed.not_after,
        "addedAt": added_at,
    }
