"""Trámites of the SAT ⇄ CCF exchange, shared by the exchange function (files, answers, pull, JWKS) and the
notifications worker (signed delivery): main-table keys, states, the queue message and the Ministry's
signature (decisions 0060-0062).

Main-table items (PK / SK):
    TRAMITE#<n> / PROFILE            the trámite: state, request, delivery summary, acknowledgement, answer
    TRAMITE#<n> / DELIVERY#<iso>#<id>  one delivery attempt: outcome, HTTP status, latency, reason
    TRAMITE#<n> / PULL#<iso>#<id>    one pull of the request by the CCF (time, outcome, Client ID)
    (<iso>: sat_common.clock.stamp, RFC 3339 with milliseconds and `Z`; items written before it end in `+00:00`,
    which sorts just before the `Z` form of the same millisecond, so the attempts stay in time order)
    TRAMITE#<n> / ANSWER             the CCF's answer (written once, with the state change, in one transaction)
    TRASLADO#<n> / PROFILE           a transfer request from RECEPCION TRASLADO CAJA, with its own state
"""

from __future__ import annotations

import base64
import json
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sat_common import aws, keys

# States of a trámite (docs/decisions/0060-tramites-and-states.md)
PENDIENTE = "PENDIENTE"  # filed; the notification is on its way (or being retried)
NOTIFICADA = "NOTIFICADA"  # the CCF acknowledged the notification with the transaction number
FALLIDA = "FALLIDA"  # delivery gave up (attempts exhausted or a permanent refusal): in the DLQ, redrivable
APROBADA = "APROBADA"  # the CCF answered ResultadoTramite 1
RECHAZADA = "RECHAZADA"  # the CCF answered ResultadoTramite 2
FINAL_STATES = frozenset({APROBADA, RECHAZADA})
ANSWERABLE_STATES = frozenset({PENDIENTE, NOTIFICADA, FALLIDA})

# Transfer requests (RECEPCION TRASLADO CAJA)
TRASLADO_RECIBIDO = "RECIBIDA"

SIGNATURE_HEADER = "X-JWS-Signature"  # detached JWS (RFC 7515 appendix F) over the exact body bytes
IDEMPOTENCY_HEADER = "Idempotency-Key"
SIGNING_ALGORITHM = "RS256"
KMS_SIGNING_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"
KMS_RAW_LIMIT = 4096


def tramite_key(numero: str) -> dict[str, str]:
    return {"PK": keys.tramite(numero), "SK": keys.PROFILE}


def answer_key(numero: str) -> dict[str, str]:
    return {"PK": keys.tramite(numero), "SK": keys.ANSWER}


def delivery_key(numero: str, at: str, attempt_id: str) -> dict[str, str]:
    return {"PK": keys.tramite(numero), "SK": keys.delivery_attempt(at, attempt_id)}


def pull_key(numero: str, at: str, pull_id: str) -> dict[str, str]:
    """One pull of the request by the CCF (SERVICIO SOLICITUD AFILIACION): the detail's pull history."""
    return {"PK": keys.tramite(numero), "SK": keys.pull(at, pull_id)}


def transfer_key(numero: str) -> dict[str, str]:
    return {"PK": keys.traslado(numero), "SK": keys.PROFILE}


def audit_entity(numero: str) -> str:
    return keys.tramite(numero)


def transfer_audit_entity(numero: str) -> str:
    return keys.traslado(numero)


class NotificationMessage(BaseModel):
    """What the exchange function puts on the notifications queue; the worker rebuilds the body from the
    trámite item, so a message never carries personal data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["tramite-notification"] = "tramite-notification"
    id: str = Field(min_length=8, max_length=200, description="idempotency key sent to the CCF")
    numeroTransaccion: str = Field(pattern=r"^[0-9]{1,20}$")
    generation: int = Field(ge=0, description="redrive generation: an older message is stale and dropped")
    # A CCF's redelivery of an acknowledged notification (decision 0107): sent once more with the same key, the
    # trámite's state untouched.
    replay: bool = False


def enqueue_notification(queue_url: str, message: NotificationMessage) -> None:
    # `replay` only when set: the messages of a trámite's own schedule keep their shape
    body = message.model_dump_json(exclude=None if message.replay else {"replay"})
    aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)


def notification_id(numero: str) -> str:
    """One idempotency key per trámite notification: a retry or a redrive sends the same key."""
    return f"sat-notificacion-{numero}"


def notification_body(tramite: dict[str, Any]) -> dict[str, str]:
    """The wire body (product.md §5), field names exactly as CCF systems know them."""
    return {
        "numero_transaccion": str(tramite["numeroTransaccion"]),
        "codigo_novedad": str(tramite["codigoNovedad"]),
        "fecha_creacion": str(tramite["fechaCreacion"]),
        "fecha_vigencia": str(tramite["fechaVigencia"]),
        "estado_flujo": str(tramite.get("estadoFlujo") or "PENDIENTE_RESPUESTA_CCF"),
        "url": str(tramite["pullUrl"]),
        "estado_afiliacion": str(tramite.get("estadoAfiliacion") or "EN_TRAMITE"),
    }


# --------------------------------------------------------------------------- the Ministry's signature
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@cache
def public_jwk(key_id: str) -> dict[str, str]:
    """The KMS key's public half as a JWK (kid = RFC 7638 thumbprint); fetched once per process."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    public = load_der_public_key(aws.client("kms").get_public_key(KeyId=key_id)["PublicKey"])
    if not isinstance(public, rsa.RSAPublicKey):
        raise ValueError("the notification signing key must be RSA")
    numbers = public.public_numbers()
    n = _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big"))
    e = _b64(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big"))
    import hashlib

    thumbprint = _b64(
        hashlib.sha256(json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":")).encode()).digest()
    )
    return {"kty": "RSA", "use": "sig", "alg": SIGNING_ALGORITHM, "kid": thumbprint, "n": n, "e": e}


def jwks(key_ids: list[str]) -> dict[str, list[dict[str, str]]]:
    return {"keys": [public_jwk(key_id) for key_id in key_ids]}


def sign_detached(key_id: str, body: bytes) -> str:
    """Detached JWS compact (`<header>..<signature>`) over the exact body bytes, signed in KMS (RS256)."""
    header = {"alg": SIGNING_ALGORITHM, "kid": public_jwk(key_id)["kid"], "typ": "JOSE", "cty": "json"}
    protected = _b64(json.dumps(header, separators=(",", ":")).encode())
    signing_input = f"{protected}.{_b64(body)}".encode()
    if len(signing_input) > KMS_RAW_LIMIT:  # KMS signs RAW messages up to 4 KiB; notifications are ~0.5 KiB
        raise ValueError("notification too large to sign")
    signature = aws.client("kms").sign(
        KeyId=key_id, Message=signing_input, MessageType="RAW", SigningAlgorithm=KMS_SIGNING_ALGORITHM
    )["Signature"]
    return f"{protected}..{_b64(signature)}"
