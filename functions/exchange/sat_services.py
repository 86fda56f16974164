"""The CCF systems' side of the exchange, the /sat services: SERVICIO SOLICITUD AFILIACION (the pull, encrypted
to the CCF's key), Respuesta TramiteCCF (the answer, once) and RECEPCION TRASLADO CAJA (a transfer request).

Decisions 0061 (pull encryption), 0063 (answers and transfers).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from exchange.config import ExchangeSettings
from exchange.models import SatPullRequest, SatRespuesta, SatTraslado
from exchange.repository import ExchangeRepository
from sat_common import audit, ccf_access, clock, keys, tramites
from sat_common.audit import Actor
from sat_common.colombian_time import colombian_date
from sat_common.errors import DomainError, FieldError, invalid, not_found
from sat_common.items import ConditionFailed
from sat_common.observability import logger
from sat_common.outbox import OutboxEmail, enqueue_email

PULL_SERVICE = "solicitud-afiliacion"
ANSWER_SERVICE = "respuesta-tramite-ccf"
TRANSFER_SERVICE = "recepcion-traslado-caja"


@dataclass(frozen=True)
class System:
    """The CCF system calling a /sat route, as the Lambda authorizer verified it (never from the body)."""

    nit: str
    service_id: str
    client_id: str


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _audit(settings: ExchangeSettings, entity: str, action: str, actor: Actor, details: dict[str, Any]) -> None:
    audit.record(settings.audit_table_name, entity, action, actor, details)


def require_service(system: System, service_id: str) -> None:
    """The authorizer already allows only the token's own service; checked again here (defence in depth)."""
    if system.service_id != service_id:
        raise DomainError(code="FORBIDDEN", status=403)


def _own_tramite(store: ExchangeRepository, system: System, numero: str) -> dict[str, Any]:
    item = store.tramite(numero)
    if item is None or item.get("ccfNit") != system.nit:  # another CCF's trámite does not exist for this one
        raise not_found("TRAMITE_NOT_FOUND")
    return item


# --------------------------------------------------------------------------- SERVICIO SOLICITUD AFILIACION
def pull_document(item: dict[str, Any]) -> dict[str, Any]:
    """The full request as "SERVICIO SOLICITUD AFILIACION" documents it (local/seed/services.json)."""
    return {
        "numeroTransaccion": item["numeroTransaccion"],
        "serialSat": item["serialSat"],
        "codigoNovedad": item["codigoNovedad"],
        "fechaCreacion": item["fechaCreacion"],
        "fechaVigencia": item["fechaVigencia"],
        **(item.get("solicitud") or {}),
    }


def pull(settings: ExchangeSettings, system: System, request: SatPullRequest, actor: Actor) -> tuple[str, str]:
    """(content type, body): the request as a compact JWE to the CCF's key. Never in clear: without an ACTIVE
    notification service with a public key the answer is 409 CCF_KEY_NOT_ACTIVE (decision 0061)."""
    require_service(system, PULL_SERVICE)
    store = ExchangeRepository(settings.main_table_name)
    numero = request.numeroTransaccion
    entity = tramites.audit_entity(numero)
    try:
        item = _own_tramite(store, system, numero)
    except DomainError:
        details = {"request": request.model_dump(), "ccfNit": system.nit, "status": 404}
        _audit(settings, entity, "SAT_PULL_REFUSED", actor, details)
        raise
    public_key = _ccf_public_key(system.nit)
    if not public_key:
        details = {"request": request.model_dump(), "ccfNit": system.nit, "status": 409, "reason": "CCF_KEY_NOT_ACTIVE"}
        _audit(settings, entity, "SAT_PULL_REFUSED", actor, details)
        store.record_pull(numero, clock.stamp(), "SIN_LLAVE", system.client_id)
        raise DomainError(code="CCF_KEY_NOT_ACTIVE", status=409)
    body = encrypt(pull_document(item), public_key)
    now = clock.stamp()
    store.record_pull(numero, now, "ENTREGADA", system.client_id)
    store.mark_pulled(numero, now)
    _audit(
        settings,
        entity,
        "SAT_PULL",
        actor,
        {
            "request": request.model_dump(),
            "ccfNit": system.nit,
            "clientId": system.client_id,
            "status": 200,
            "encrypted": True,
            "responseSha256": hashlib.sha256(body.encode()).hexdigest(),
        },
    )
    return "application/jose", body


def _ccf_public_key(nit: str) -> str | None:
    from sat_common import ccf_partner

    endpoint = ccf_partner.notification_endpoint(nit)  # purpose NOTIFICACION_TRAMITES (decision 0106)
    return endpoint.public_key_pem if endpoint else None


def encrypt(document: dict[str, Any], public_key_pem: str) -> str:
    """Compact JWE to the CCF's key: RSA-OAEP-256 + A256GCM (RSA), ECDH-ES+A256KW + A256GCM (EC)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
    from joserfc import jwe
    from joserfc.jwk import ECKey, RSAKey

    pem = public_key_pem.strip().encode()
    public: Any = (
        x509.load_pem_x509_certificate(pem).public_key() if b"BEGIN CERTIFICATE" in pem else load_pem_public_key(pem)
    )
    spki = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    plaintext = json.dumps(document, ensure_ascii=False).encode()
    # `kid` = the key's RFC 7638 thumbprint (the kid POST .../keys answered): with two keys registered the CCF
    # knows which private key decrypts (decision 0102; the key given here is the newest).
    if isinstance(public, rsa.RSAPublicKey):
        rsa_key = RSAKey.import_key(spki)
        header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "json", "kid": rsa_key.thumbprint()}
        return jwe.encrypt_compact(header, plaintext, rsa_key, algorithms=["RSA-OAEP-256", "A256GCM"])
    if isinstance(public, ec.EllipticCurvePublicKey):
        ec_key = ECKey.import_key(spki)
        header = {"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "cty": "json", "kid": ec_key.thumbprint()}
        return jwe.encrypt_compact(header, plaintext, ec_key, algorithms=["ECDH-ES+A256KW", "A256GCM"])
    raise ValueError("unsupported public key type")


# --------------------------------------------------------------------------- Respuesta TramiteCCF
def answer(
    settings: ExchangeSettings, system: System, request: SatRespuesta, actor: Actor
) -> tuple[dict[str, Any], bool]:
    """(acknowledgement, replayed). Once per trámite: the same answer again is a replay, another one a 409."""
    require_service(system, ANSWER_SERVICE)
    store = ExchangeRepository(settings.main_table_name)
    numero = request.NumeroTransaccion
    wire = request.model_dump(mode="json")
    entity = tramites.audit_entity(numero)
    _audit(settings, entity, "SAT_ANSWER_RECEIVED", actor, {"request": wire, "ccfNit": system.nit})
    item = _own_tramite(store, system, numero)
    employer = (item.get("solicitud") or {}).get("empleador") or {}
    errors = []
    if (request.TipoDocumentoEmpleador, request.NumeroDocumentoEmpleador) != (
        employer.get("tipoDocumento"),
        employer.get("numeroDocumento"),
    ):
        errors.append(FieldError("NumeroDocumentoEmpleador", "employer_mismatch"))
    if request.SerialSat != item.get("serialSat"):
        errors.append(FieldError("SerialSat", "serial_mismatch"))
    if errors:
        _audit(settings, entity, "SAT_ANSWER_REFUSED", actor, {"status": 422, "fields": [e.field for e in errors]})
        raise invalid(errors)
    digest = _digest(wire)
    now = clock.stamp()
    final = tramites.APROBADA if request.ResultadoTramite == 1 else tramites.RECHAZADA
    ack = {"NumeroTransaccion": numero, "Estado": "RECIBIDA", "FechaRecepcion": now}
    answer_item = {
        **tramites.answer_key(numero),
        "respuesta": wire,
        "digest": digest,
        "ack": ack,
        "at": now,
        "clientId": system.client_id,
    }
    try:
        store.record_answer(answer_item, final, now)
    except ConditionFailed:
        stored = store.answer(numero)
        if stored and stored.get("digest") == digest:
            _audit(settings, entity, "SAT_ANSWER_REPLAYED", actor, {"status": 200})
            _notify_employer(settings, store, item, stored, request)  # in case the first call died before it
            return stored["ack"], True
        _audit(settings, entity, "SAT_ANSWER_CONFLICT", actor, {"status": 409})
        raise DomainError(code="ANSWER_ALREADY_RECORDED", status=409, params={"numero": numero}) from None
    _audit(settings, entity, "SAT_ANSWER_RECORDED", actor, {"status": 200, "estado": final, "response": ack})
    _notify_employer(settings, store, item, answer_item, request)
    return ack, False


def _notify_employer(
    settings: ExchangeSettings,
    store: ExchangeRepository,
    item: dict[str, Any],
    stored: dict[str, Any],
    request: SatRespuesta,
) -> None:
    """E-mail the employer the result (consent permitting); the e-mail id makes it once (delivery idempotency)."""
    if stored.get("emailQueuedAt"):
        return
    solicitud = item.get("solicitud") or {}
    email = (solicitud.get("sede") or {}).get("correoElectronico")
    consent = (solicitud.get("consentimientos") or {}).get("correoElectronico")
    numero = request.NumeroTransaccion
    if not email or not consent:
        logger.info("employer without e-mail consent: no result e-mail", extra={"numeroTransaccion": numero})
        return
    data = {
        "razonSocial": str((solicitud.get("empleador") or {}).get("razonSocial", "")),
        "numeroTransaccion": numero,
        "resultado": "APROBADA" if request.ResultadoTramite == 1 else "NO APROBADA",
        "caja": str(item.get("ccfName") or item.get("ccfNit")),
        "fechaEfectiva": colombian_date(request.FechaEfectivaAfiliacion) if request.FechaEfectivaAfiliacion else "-",
        "motivo": request.MotivoRechazo or "-",
        "radicado": request.NumeroRadicadoSolicitud,
    }
    message = OutboxEmail(id=f"tramite-result-{numero}", template="tramite-result", to=email, data=data)
    enqueue_email(settings.outbox_queue_url, message)
    store.mark_result_email_queued(numero, clock.stamp())


# --------------------------------------------------------------------------- RECEPCION TRASLADO CAJA
def transfer(
    settings: ExchangeSettings, system: System, request: SatTraslado, actor: Actor
) -> tuple[dict[str, Any], bool]:
    """Record a transfer request with its own state; idempotent by transaction number."""
    require_service(system, TRANSFER_SERVICE)
    store = ExchangeRepository(settings.main_table_name)
    numero = request.NumeroTransaccion
    wire = request.model_dump(mode="json")
    entity = tramites.transfer_audit_entity(numero)
    _audit(settings, entity, "SAT_TRANSFER_RECEIVED", actor, {"request": wire, "ccfNit": system.nit})
    errors = []
    if system.nit not in (request.NitCajaOrigen, request.NitCajaDestino):
        errors.append(FieldError("NitCajaOrigen", "transfer_caller_not_party"))
    for field in ("NitCajaOrigen", "NitCajaDestino"):
        nit = getattr(request, field)
        activation = store.ccf_activation(nit, consistent=False)
        if not activation or activation.get("status") != ccf_access.ACTIVE:
            errors.append(FieldError(field, "ccf_not_active", {"nit": nit}))
    if errors:
        _audit(settings, entity, "SAT_TRANSFER_REFUSED", actor, {"status": 422, "fields": [e.field for e in errors]})
        raise invalid(errors)
    now = clock.stamp()
    digest = _digest(wire)
    ack = {"NumeroTransaccion": numero, "Estado": "RECIBIDA", "NumeroRadicado": f"TRA-{now[:4]}-{numero}"}
    item = {
        **tramites.transfer_key(numero),
        "solicitud": wire,
        "digest": digest,
        "estado": tramites.TRASLADO_RECIBIDO,
        "ack": ack,
        "receivedFrom": system.nit,
        "clientId": system.client_id,
        "createdAt": now,
        "updatedAt": now,
        "GSI1PK": keys.ccf(request.NitCajaDestino),
        "GSI1SK": f"{keys.TRASLADO}{now}",
        "GSI2PK": keys.traslados_by_state(tramites.TRASLADO_RECIBIDO),
        "GSI2SK": now,
    }
    try:
        store.record_transfer(item)
    except ConditionFailed:
        stored = store.transfer(numero) or {}
        if stored.get("digest") == digest and stored.get("receivedFrom") == system.nit:
            _audit(settings, entity, "SAT_TRANSFER_REPLAYED", actor, {"status": 200})
            return stored["ack"], True
        _audit(settings, entity, "SAT_TRANSFER_CONFLICT", actor, {"status": 409})
        raise DomainError(code="TRANSFER_ALREADY_RECORDED", status=409, params={"numero": numero}) from None
    _audit(settings, entity, "SAT_TRANSFER_RECORDED", actor, {"status": 200, "response": ack})
    return ack, False
