"""The CCF's calls to the Ministry: token (Client ID + consumer password), pull, decrypt, answer; and the
verification of the Ministry's signature on a notification with its JWKS."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Sequence
from typing import Any

import httpx
from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter

from examples.sample_ccf.config import Config

SIGNATURE_HEADER = "X-JWS-Signature"
NOTIFICATION_TYP = "sat-notificacion+jws"
# The Ministry's protected header also carries iat, aud and jti (RFC 7519 §5.3 "replicating claims as header
# parameters"); joserfc accepts header parameters it knows, so they are declared here.
REGISTRY = JWSRegistry(
    header_registry={
        "iat": HeaderParameter("Issued at (seconds)", "int", required=True),
        "aud": HeaderParameter("The CCF's NIT", "str", required=True),
        "jti": HeaderParameter("The Idempotency-Key", "str", required=True),
    }
)


class SignatureError(Exception):
    """The notification is not signed by the Ministry (or was changed on the way)."""


class MinistryJwks:
    """The Ministry's public keys, fetched once and again when a notification names an unknown `kid`."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._keys: KeySet | None = KeySet.import_key_set(config.jwks) if config.jwks else None  # type: ignore[arg-type]
        self._lock = threading.Lock()

    def _fetch(self) -> KeySet:
        response = httpx.get(self.config.ministry_jwks_url, timeout=10)
        response.raise_for_status()
        return KeySet.import_key_set(response.json())  # type: ignore[no-any-return]

    def keys(self, kid: str | None) -> KeySet:
        with self._lock:
            known = self._keys is not None and any(key.kid == kid for key in self._keys.keys)
            if not known and not self.config.jwks:
                self._keys = self._fetch()
            assert self._keys is not None
            return self._keys

    def verify(self, body: bytes, detached: str, *, nit: str, idempotency_key: str) -> dict[str, Any]:
        """Verify the detached JWS (RFC 7515 appendix F) of the header over the exact body bytes, and what its
        protected header binds (decision 0103): `aud` is this CCF's NIT (a notification captured for another CCF
        is refused), `iat` within the allowed clock skew, `jti` equal to the Idempotency-Key header. Returns the
        header; the caller deduplicates by `jti` (a retry carries the same one and gets the same answer)."""
        parts = detached.split(".")
        if len(parts) != 3 or parts[1] != "":
            raise SignatureError("the signature header is not a detached compact JWS")
        try:
            header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
        except ValueError as error:
            raise SignatureError("unreadable JWS header") from error
        if not isinstance(header, dict) or header.get("alg") != "RS256":
            raise SignatureError("unexpected algorithm")
        payload = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
        try:
            jws.deserialize_compact(
                f"{parts[0]}.{payload}.{parts[2]}",
                self.keys(header.get("kid")),
                algorithms=["RS256"],
                registry=REGISTRY,
            )
        except (JoseError, ValueError) as error:
            raise SignatureError("bad signature") from error
        # Only now, with the signature good, do the header's claims mean anything.
        if header.get("typ") != NOTIFICATION_TYP:
            raise SignatureError("unexpected typ")
        if not nit or header.get("aud") != nit:
            raise SignatureError("the notification is for another CCF (aud)")
        iat = header.get("iat")
        skew = self.config.max_clock_skew_seconds
        if not isinstance(iat, int) or isinstance(iat, bool) or abs(time.time() - iat) > skew:
            raise SignatureError("the signature is too old or from the future (iat)")
        if not idempotency_key or header.get("jti") != idempotency_key:
            raise SignatureError("jti does not match the Idempotency-Key header")
        return dict(header)


class MinistryClient:
    """Calls to the Ministry's services with the CCF's Client IDs and consumer password (client_credentials)."""

    def __init__(self, config: Config, private_keys: list[RSAKey | ECKey]) -> None:
        self.config = config
        self.private_keys = private_keys  # shared with the runner: a key added there decrypts here at once
        self._tokens: dict[str, tuple[str, float]] = {}
        self._http = httpx.Client(timeout=15)

    def token(self, client_id: str) -> str:
        cached = self._tokens.get(client_id)
        if cached and cached[1] - 30 > time.time():
            return cached[0]
        response = self._http.post(
            self.config.token_url, data={"grant_type": "client_credentials"}, auth=(client_id, self.config.password)
        )
        response.raise_for_status()
        body = response.json()
        self._tokens[client_id] = (body["access_token"], time.time() + int(body.get("expires_in", 300)))
        return str(body["access_token"])

    def pull(self, numero: str, url: str | None = None) -> tuple[dict[str, Any], bool]:
        """SERVICIO SOLICITUD AFILIACION: (the full request, whether it came encrypted as a JWE)."""
        headers = {"Authorization": f"Bearer {self.token(self.config.pull_client_id)}"}
        response = self._http.post(url or self.config.pull_url, json={"numeroTransaccion": numero}, headers=headers)
        response.raise_for_status()
        if response.headers.get("content-type", "").startswith("application/jose"):
            return decrypt(response.text, self.private_keys), True
        document: dict[str, Any] = response.json()
        return document, False

    def answer(self, body: dict[str, Any]) -> httpx.Response:
        """Respuesta TramiteCCF."""
        headers = {"Authorization": f"Bearer {self.token(self.config.answer_client_id)}"}
        return self._http.post(self.config.answer_url, json=body, headers=headers)


def decrypt(compact: str, private_key: RSAKey | ECKey | Sequence[RSAKey | ECKey]) -> dict[str, Any]:
    """Decrypt the pull's JWE with the private key whose RFC 7638 thumbprint is the JWE's `kid` (the CCF may
    have two keys registered while it rotates; the Ministry encrypts to the newest: decision 0102)."""
    keys = [private_key] if isinstance(private_key, RSAKey | ECKey) else list(private_key)
    try:
        header = json.loads(base64.urlsafe_b64decode(compact.split(".")[0] + "=" * (-len(compact.split(".")[0]) % 4)))
    except ValueError:
        header = {}
    kid = header.get("kid") if isinstance(header, dict) else None
    chosen = [key for key in keys if key.thumbprint() == kid] or keys[-1:]
    algorithms = ["RSA-OAEP-256", "ECDH-ES+A256KW", "A256GCM"]
    plaintext = jwe.decrypt_compact(compact, chosen[0], algorithms=algorithms).plaintext
    document: dict[str, Any] = json.loads(plaintext or b"{}")
    return document


def answer_for(request: dict[str, Any], decision: str, radicado: str) -> dict[str, Any]:
    """The CCF's decision as Respuesta TramiteCCF (a real CCF applies its own rules here)."""
    approved = decision == "approve"
    return {
        "NumeroTransaccion": request["numeroTransaccion"],
        "TipoDocumentoEmpleador": request["empleador"]["tipoDocumento"],
        "NumeroDocumentoEmpleador": request["empleador"]["numeroDocumento"],
        "SerialSat": request["serialSat"],
        "ResultadoTramite": 1 if approved else 2,
        "FechaEfectivaAfiliacion": time.strftime("%Y-%m-%d") if approved else None,
        "MotivoRechazo": None if approved else "Documentación incompleta (ejemplo)",
        "NumeroRadicadoSolicitud": radicado,
    }
