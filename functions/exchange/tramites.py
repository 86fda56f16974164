"""The exchange's rules: file a trámite, show it, redrive it (Ministry); pull, answer and transfer (CCF systems).

Decisions 0060 (trámites and states), 0061 (pull encryption), 0063 (answers and transfers).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from exchange.config import ExchangeSettings
from exchange.models import SatPullRequest, SatRespuesta, SatTraslado, TramiteCreate
from sat_common import audit, aws, ccf_access, clock, tramites
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed, put_new, transact
from sat_common.errors import DomainError, FieldError, invalid, not_found
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


def _now() -> str:
    return clock.now().isoformat(timespec="milliseconds")


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _table(settings: ExchangeSettings) -> Any:
    return aws.table(settings.main_table_name)


def _audit(settings: ExchangeSettings, entity: str, action: str, actor: Actor, details: dict[str, Any]) -> None:
    audit.record(settings.audit_table_name, entity, action, actor, details)


def _new_numero() -> str:
    return clock.now().strftime("%Y%m%d") + f"{secrets.randbelow(10**8):08d}"


# --------------------------------------------------------------------------- Ministry
def file_tramite(settings: ExchangeSettings, request: TramiteCreate, base_url: str, actor: Actor) -> dict[str, Any]:
    table = _table(settings)
    activation = table.get_item(Key=ccf_access.activation_key(request.ccfNit), ConsistentRead=True).get("Item")
    if not activation or activation.get("status") != ccf_access.ACTIVE:
        raise invalid([FieldError("ccfNit", "ccf_not_active", {"nit": request.ccfNit})])
    today = clock.now().date()
    if request.fechaVigencia is not None and request.fechaVigencia < today:
        raise invalid([FieldError("fechaVigencia", "date_in_past")])
    vigencia = request.fechaVigencia or today + timedelta(days=settings.tramite_validity_days)
    numero = request.numeroTransaccion or _new_numero()
    now = _now()
    solicitud = request.model_dump(
        mode="json", include={"empleador", "representanteLegal", "sede", "consentimientos"}, exclude_none=True
    )
    item = {
        **tramites.tramite_key(numero),
        "numeroTransaccion": numero,
        "serialSat": request.serialSat or f"SAT-{numero}",
        "ccfNit": request.ccfNit,
        "ccfName": activation.get("businessName") or "",
        "codigoNovedad": request.codigoNovedad,
        "fechaCreacion": now,
        "fechaVigencia": vigencia.isoformat(),
        "estado": tramites.PENDIENTE,
        "pullUrl": f"{base_url}/sat/solicitud-afiliacion",
        "notificationId": tramites.notification_id(numero),
        "generation": 0,
        "attempts": 0,
        "solicitud": solicitud,
        "createdAt": now,
        "createdBy": actor.subject,
        "updatedAt": now,
        "GSI1PK": f"CCF#{request.ccfNit}",
        "GSI1SK": f"TRAMITE#{now}",
        "GSI2PK": f"TRAMSTATE#{tramites.PENDIENTE}",
        "GSI2SK": now,
    }
    try:
        put_new(settings.main_table_name, item)
    except ConditionFailed:
        raise DomainError(code="TRAMITE_EXISTS", status=409, params={"numero": numero}) from None
    message = tramites.NotificationMessage(id=tramites.notification_id(numero), numeroTransaccion=numero, generation=0)
    try:
        tramites.enqueue_notification(settings.notification_queue_url, message)
    except Exception:
        # Nothing half-written: without its notification the trámite would wait forever.
        table.delete_item(
            Key=tramites.tramite_key(numero),
            ConditionExpression="estado = :p AND attempts = :zero",
            ExpressionAttributeValues={":p": tramites.PENDIENTE, ":zero": 0},
        )
        raise
    _audit(
        settings,
        tramites.audit_entity(numero),
        "TRAMITE_FILED",
        actor,
        {"ccfNit": request.ccfNit, "codigoNovedad": request.codigoNovedad, "fechaVigencia": item["fechaVigencia"]},
    )
    return view(item, [], None)


def view(
    item: dict[str, Any],
    deliveries: list[dict[str, Any]],
    answer: dict[str, Any] | None,
    pulls: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    keys = (
        "numeroTransaccion",
        "serialSat",
        "ccfNit",
        "codigoNovedad",
        "estado",
        "fechaCreacion",
        "fechaVigencia",
        "pullUrl",
        "pulledAt",
        "lastPulledAt",
        "answeredAt",
        "lastOutcome",
        "failedAt",
        "failureReason",
        "createdAt",
        "updatedAt",
    )
    body: dict[str, Any] = {key: item[key] for key in keys if item.get(key) is not None}
    body["attempts"] = int(item.get("attempts", 0))
    body["generation"] = int(item.get("generation", 0))
    body["pullCount"] = int(item.get("pullCount", 0))
    if item.get("acknowledgement"):
        body["acknowledgement"] = _plain(item["acknowledgement"])
    body["deliveries"] = [
        {
            "at": d["at"],
            "attempt": int(d.get("attempt", 0)),
            "outcome": d["outcome"],
            "statusCode": int(d["statusCode"]) if d.get("statusCode") is not None else None,
            "latencyMs": int(d["latencyMs"]) if d.get("latencyMs") is not None else None,
            "reason": d.get("reason"),
        }
        for d in deliveries
    ]
    body["pulls"] = [
        {"at": p["at"], "outcome": p.get("outcome", "ENTREGADA"), "clientId": p.get("clientId")} for p in pulls or []
    ]
    if answer:
        body["answer"] = _plain(answer.get("respuesta") or {})
    return body


def _plain(value: Any) -> Any:
    """DynamoDB Decimals back to ints for JSON."""
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def load(
    settings: ExchangeSettings, numero: str
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], dict | None, list[dict[str, Any]]]:
    from boto3.dynamodb.conditions import Key

    table = _table(settings)
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"KeyConditionExpression": Key("PK").eq(f"TRAMITE#{numero}"), "ConsistentRead": True}
    while True:
        page = table.query(**kwargs)
        items += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    profile = next((i for i in items if i["SK"] == "PROFILE"), None)
    deliveries = [i for i in items if i["SK"].startswith("DELIVERY#")]
    answer = next((i for i in items if i["SK"] == "ANSWER"), None)
    pulls = [i for i in items if i["SK"].startswith("PULL#")]
    return profile, deliveries, answer, pulls


def get_tramite(settings: ExchangeSettings, numero: str) -> dict[str, Any]:
    profile, deliveries, answer, pulls = load(settings, numero)
    if profile is None:
        raise not_found("TRAMITE_NOT_FOUND")
    return view(profile, deliveries, answer, pulls)


def redrive(settings: ExchangeSettings, numero: str, actor: Actor) -> dict[str, Any]:
    """FALLIDA → PENDIENTE with a new generation, and a new notification message (same idempotency key)."""
    redrive_one(settings, numero, actor)
    return get_tramite(settings, numero)


def redrive_one(settings: ExchangeSettings, numero: str, actor: Actor, details: dict[str, Any] | None = None) -> int:
    """The one step both redrives take (decisions 0060, 0094): only from FALLIDA (404/409 otherwise), so a
    trámite redriven and not failed again is never redriven twice. Returns the new generation."""
    from botocore.exceptions import ClientError

    table = _table(settings)
    now = _now()
    try:
        updated = table.update_item(
            Key=tramites.tramite_key(numero),
            UpdateExpression=(
                "SET estado = :p, generation = generation + :one, attempts = :zero, updatedAt = :now, "
                "lastRedriveAt = :now, lastRedriveBy = :by, GSI2PK = :gsi, GSI2SK = :now REMOVE leaseUntil"
            ),
            ConditionExpression="attribute_exists(PK) AND estado = :f",
            ExpressionAttributeValues={
                ":p": tramites.PENDIENTE,
                ":f": tramites.FALLIDA,
                ":one": 1,
                ":zero": 0,
                ":now": now,
                ":by": actor.subject,
                ":gsi": f"TRAMSTATE#{tramites.PENDIENTE}",
            },
            ReturnValues="ALL_NEW",
        )["Attributes"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        current = table.get_item(Key=tramites.tramite_key(numero), ConsistentRead=True).get("Item")
        if current is None:
            raise not_found("TRAMITE_NOT_FOUND") from None
        raise DomainError(code="TRAMITE_NOT_FAILED", status=409, params={"estado": current.get("estado")}) from None
    generation = int(updated["generation"])
    message = tramites.NotificationMessage(
        id=updated["notificationId"], numeroTransaccion=numero, generation=generation
    )
    try:
        tramites.enqueue_notification(settings.notification_queue_url, message)
    except Exception:
        table.update_item(  # back to FALLIDA: the admin can try again
            Key=tramites.tramite_key(numero),
            UpdateExpression="SET estado = :f, GSI2PK = :gsi",
            ConditionExpression="generation = :g AND estado = :p",
            ExpressionAttributeValues={
                ":f": tramites.FALLIDA,
                ":p": tramites.PENDIENTE,
                ":g": generation,
                ":gsi": f"TRAMSTATE#{tramites.FALLIDA}",
            },
        )
        raise
    _audit(
        settings,
        tramites.audit_entity(numero),
        "TRAMITE_REDRIVEN",
        actor,
        {"generation": generation, "ccfNit": updated.get("ccfNit"), **(details or {})},
    )
    return generation


# --------------------------------------------------------------------------- CCF systems (/sat)
def require_service(system: System, service_id: str) -> None:
    """The authorizer already allows only the token's own service; checked again here (defence in depth)."""
    if system.service_id != service_id:
        raise DomainError(code="FORBIDDEN", status=403)


def _own_tramite(settings: ExchangeSettings, system: System, numero: str) -> dict[str, Any]:
    item = _table(settings).get_item(Key=tramites.tramite_key(numero), ConsistentRead=True).get("Item")
    if item is None or item.get("ccfNit") != system.nit:  # another CCF's trámite does not exist for this one
        raise not_found("TRAMITE_NOT_FOUND")
    return item


def pull_document(item: dict[str, Any]) -> dict[str, Any]:
    """The full request as "SERVICIO SOLICITUD AFILIACION" documents it (local/seed/services.json)."""
    solicitud = _plain(item.get("solicitud") or {})
    return {
        "numeroTransaccion": item["numeroTransaccion"],
        "serialSat": item["serialSat"],
        "codigoNovedad": item["codigoNovedad"],
        "fechaCreacion": item["fechaCreacion"],
        "fechaVigencia": item["fechaVigencia"],
        **solicitud,
    }


def pull(settings: ExchangeSettings, system: System, request: SatPullRequest, actor: Actor) -> tuple[str, str]:
    """(content type, body): the request as a compact JWE to the CCF's key. Never in clear: without an ACTIVE
    notification service with a public key the answer is 409 CCF_KEY_NOT_ACTIVE (decision 0061)."""
    require_service(system, PULL_SERVICE)
    numero = request.numeroTransaccion
    try:
        item = _own_tramite(settings, system, numero)
    except DomainError:
        _audit(
            settings,
            tramites.audit_entity(numero),
            "SAT_PULL_REFUSED",
            actor,
            {"request": request.model_dump(), "ccfNit": system.nit, "status": 404},
        )
        raise
    public_key = _ccf_public_key(settings, system.nit)
    if not public_key:
        _audit(
            settings,
            tramites.audit_entity(numero),
            "SAT_PULL_REFUSED",
            actor,
            {"request": request.model_dump(), "ccfNit": system.nit, "status": 409, "reason": "CCF_KEY_NOT_ACTIVE"},
        )
        _record_pull(settings, numero, system, "SIN_LLAVE")
        raise DomainError(code="CCF_KEY_NOT_ACTIVE", status=409)
    body = encrypt(pull_document(item), public_key)
    now = _now()
    _record_pull(settings, numero, system, "ENTREGADA", now)
    _table(settings).update_item(
        Key=tramites.tramite_key(numero),
        UpdateExpression="SET pulledAt = if_not_exists(pulledAt, :now), lastPulledAt = :now, "
        "pullCount = if_not_exists(pullCount, :zero) + :one",
        ExpressionAttributeValues={":now": now, ":zero": 0, ":one": 1},
    )
    _audit(
        settings,
        tramites.audit_entity(numero),
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


def _record_pull(settings: ExchangeSettings, numero: str, system: System, outcome: str, at: str | None = None) -> None:
    """The pull history GET /admin/tramites/{n} shows (the audit trail has it too, but only the audit search
    may read that table: decision 0095)."""
    at = at or _now()
    item = {**tramites.pull_key(numero, at, secrets.token_hex(4)), "at": at, "outcome": outcome}
    item["clientId"] = system.client_id
    _table(settings).put_item(Item=item)


def _ccf_public_key(settings: ExchangeSettings, nit: str) -> str | None:
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


def answer(
    settings: ExchangeSettings, system: System, request: SatRespuesta, actor: Actor
) -> tuple[dict[str, Any], bool]:
    """(acknowledgement, replayed). Once per trámite: the same answer again is a replay, another one a 409."""
    require_service(system, ANSWER_SERVICE)
    numero = request.NumeroTransaccion
    wire = request.model_dump(mode="json")
    entity = tramites.audit_entity(numero)
    _audit(settings, entity, "SAT_ANSWER_RECEIVED", actor, {"request": wire, "ccfNit": system.nit})
    item = _own_tramite(settings, system, numero)
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
    now = _now()
    final = tramites.APROBADA if request.ResultadoTramite == 1 else tramites.RECHAZADA
    ack = {"NumeroTransaccion": numero, "Estado": "RECIBIDA", "FechaRecepcion": now}
    table_name = settings.main_table_name
    from boto3.dynamodb.types import TypeSerializer

    serialize = TypeSerializer().serialize
    answer_item = {
        **tramites.answer_key(numero),
        "respuesta": wire,
        "digest": digest,
        "ack": ack,
        "at": now,
        "clientId": system.client_id,
    }
    try:
        _transact_retrying_conflicts(
            [
                {
                    "Put": {
                        "TableName": table_name,
                        "Item": {k: serialize(v) for k, v in answer_item.items()},
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {
                    "Update": {
                        "TableName": table_name,
                        "Key": {k: serialize(v) for k, v in tramites.tramite_key(numero).items()},
                        "UpdateExpression": "SET estado = :final, updatedAt = :now, answeredAt = :now, "
                        "GSI2PK = :gsi, GSI2SK = :now",
                        "ConditionExpression": "estado IN (:p, :n, :f)",
                        "ExpressionAttributeValues": {
                            ":final": serialize(final),
                            ":now": serialize(now),
                            ":gsi": serialize(f"TRAMSTATE#{final}"),
                            ":p": serialize(tramites.PENDIENTE),
                            ":n": serialize(tramites.NOTIFICADA),
                            ":f": serialize(tramites.FALLIDA),
                        },
                    }
                },
            ]
        )
    except ConditionFailed:
        stored = _table(settings).get_item(Key=tramites.answer_key(numero), ConsistentRead=True).get("Item")
        if stored and stored.get("digest") == digest:
            _audit(settings, entity, "SAT_ANSWER_REPLAYED", actor, {"status": 200})
            _notify_employer(settings, item, stored, request)  # in case the first call died before it
            return _plain(stored["ack"]), True
        _audit(settings, entity, "SAT_ANSWER_CONFLICT", actor, {"status": 409})
        raise DomainError(code="ANSWER_ALREADY_RECORDED", status=409, params={"numero": numero}) from None
    _audit(settings, entity, "SAT_ANSWER_RECORDED", actor, {"status": 200, "estado": final, "response": ack})
    _notify_employer(settings, item, answer_item, request)
    return ack, False


def _transact_retrying_conflicts(items: list[dict[str, Any]], tries: int = 5) -> None:
    """A concurrent transaction on the same item cancels ours with TransactionConflict: try again shortly."""
    import time

    from botocore.exceptions import ClientError

    for attempt in range(tries):
        try:
            transact(items)
            return
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            if attempt == tries - 1 or not any(r.get("Code") == "TransactionConflict" for r in reasons):
                raise
            time.sleep(0.02 * (attempt + 1) + secrets.randbelow(30) / 1000)


def _notify_employer(
    settings: ExchangeSettings, item: dict[str, Any], stored: dict[str, Any], request: SatRespuesta
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
        "fechaEfectiva": request.FechaEfectivaAfiliacion.isoformat() if request.FechaEfectivaAfiliacion else "-",
        "motivo": request.MotivoRechazo or "-",
        "radicado": request.NumeroRadicadoSolicitud,
    }
    message = OutboxEmail(id=f"tramite-result-{numero}", template="tramite-result", to=email, data=data)
    enqueue_email(settings.outbox_queue_url, message)
    _table(settings).update_item(
        Key=tramites.answer_key(numero),
        UpdateExpression="SET emailQueuedAt = if_not_exists(emailQueuedAt, :now)",
        ExpressionAttributeValues={":now": _now()},
    )


def transfer(
    settings: ExchangeSettings, system: System, request: SatTraslado, actor: Actor
) -> tuple[dict[str, Any], bool]:
    """Record a transfer request (RECEPCION TRASLADO CAJA) with its own state; idempotent by transaction number."""
    require_service(system, TRANSFER_SERVICE)
    numero = request.NumeroTransaccion
    wire = request.model_dump(mode="json")
    entity = f"TRASLADO#{numero}"
    _audit(settings, entity, "SAT_TRANSFER_RECEIVED", actor, {"request": wire, "ccfNit": system.nit})
    errors = []
    if system.nit not in (request.NitCajaOrigen, request.NitCajaDestino):
        errors.append(FieldError("NitCajaOrigen", "transfer_caller_not_party"))
    table = _table(settings)
    for field in ("NitCajaOrigen", "NitCajaDestino"):
        nit = getattr(request, field)
        activation = table.get_item(Key=ccf_access.activation_key(nit)).get("Item")
        if not activation or activation.get("status") != ccf_access.ACTIVE:
            errors.append(FieldError(field, "ccf_not_active", {"nit": nit}))
    if errors:
        _audit(settings, entity, "SAT_TRANSFER_REFUSED", actor, {"status": 422, "fields": [e.field for e in errors]})
        raise invalid(errors)
    now = _now()
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
        "GSI1PK": f"CCF#{request.NitCajaDestino}",
        "GSI1SK": f"TRASLADO#{now}",
        "GSI2PK": f"TRASSTATE#{tramites.TRASLADO_RECIBIDO}",
        "GSI2SK": now,
    }
    try:
        put_new(settings.main_table_name, item)
    except ConditionFailed:
        stored = table.get_item(Key=tramites.transfer_key(numero), ConsistentRead=True).get("Item") or {}
        if stored.get("digest") == digest and stored.get("receivedFrom") == system.nit:
            _audit(settings, entity, "SAT_TRANSFER_REPLAYED", actor, {"status": 200})
            return _plain(stored["ack"]), True
        _audit(settings, entity, "SAT_TRANSFER_CONFLICT", actor, {"status": 409})
        raise DomainError(code="TRANSFER_ALREADY_RECORDED", status=409, params={"numero": numero}) from None
    _audit(settings, entity, "SAT_TRANSFER_RECORDED", actor, {"status": 200, "response": ack})
    return ack, False
