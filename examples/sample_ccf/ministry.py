"""The CCF's calls to the Ministry: token (Client ID + consumer password), pull, decrypt, answer; and the
verification of the Ministry's signature on a notification with its JWKS."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import httpx
from joserfc import jwe, jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey

from examples.sample_ccf.config import Config

SIGNATURE_HEADER = "X-JWS-Signature"


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

    def verify(self, body: bytes, detached: str) -> None:
        """Verify the detached JWS (RFC 7515 appendix F) of the header over the exact body bytes."""
        parts = detached.split(".")
        if len(parts) != 3 or parts[1] != "":
            raise SignatureError("the signature header is not a detached compact JWS")
        try:
            header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
        except ValueError as error:
            raise SignatureError("unreadable JWS header") from error
        if header.get("alg") != "RS256":
            raise SignatureError("unexpected algorithm")
        payload = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
        try:
            jws.deserialize_compact(
                f"{parts[0]}.{payload}.{parts[2]}", self.keys(header.get("kid")), algorithms=["RS256"]
            )
        except (JoseError, ValueError) as error:
            raise SignatureError("bad signature") from error


class MinistryClient:
    """Calls to the Ministry's services with the CCF's Client IDs and consumer password (client_credentials)."""

    def __init__(self, config: Config, private_key: RSAKey | ECKey) -> None:
        self.config = config
        self.private_key = private_key
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
            return decrypt(response.text, self.private_key), True
        document: dict[str, Any] = response.json()
        return document, False

    def answer(self, body: dict[str, Any]) -> httpx.Response:
        """Respuesta TramiteCCF."""
        headers = {"Authorization": f"Bearer {self.token(self.config.answer_client_id)}"}
        return self._http.post(self.config.answer_url, json=body, headers=headers)


def decrypt(compact: str, private_key: RSAKey | ECKey) -> dict[str, Any]:
    algorithms = ["RSA-OAEP-256", "ECDH-ES+A256KW", "A256GCM"]
    plaintext = jwe.decrypt_compact(compact, private_key, algorithms=algorithms).plaintext
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
