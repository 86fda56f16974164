"""The Ministry's side of the exchange: file a trámite for a CCF (which starts its signed notification), show
it, redrive a FALLIDA one (decisions 0060, 0094)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from exchange.config import ExchangeSettings
from exchange.models import TramiteCreate
from exchange.repository import ExchangeRepository, TramiteHistory
from exchange.tramite_view import view
from sat_common import audit, ccf_access, clock, keys, tramites
from sat_common.audit import Actor
from sat_common.errors import DomainError, FieldError, invalid, not_found
from sat_common.items import ConditionFailed


def _new_numero() -> str:
    return clock.now().strftime("%Y%m%d") + f"{secrets.randbelow(10**8):08d}"


def file_tramite(settings: ExchangeSettings, request: TramiteCreate, base_url: str, actor: Actor) -> dict[str, Any]:
    store = ExchangeRepository(settings.main_table_name)
    activation = store.ccf_activation(request.ccfNit)
    if not activation or activation.get("status") != ccf_access.ACTIVE:
        raise invalid([FieldError("ccfNit", "ccf_not_active", {"nit": request.ccfNit})])
    today = clock.now().date()
    if request.fechaVigencia is not None and request.fechaVigencia < today:
        raise invalid([FieldError("fechaVigencia", "date_in_past")])
    vigencia = request.fechaVigencia or today + timedelta(days=settings.tramite_validity_days)
    numero = request.numeroTransaccion or _new_numero()
    now = clock.stamp()
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
        "GSI1PK": keys.ccf(request.ccfNit),
        "GSI1SK": f"{keys.TRAMITE}{now}",
        "GSI2PK": keys.tramites_by_state(tramites.PENDIENTE),
        "GSI2SK": now,
    }
    try:
        store.file_tramite(item)
    except ConditionFailed:
        raise DomainError(code="TRAMITE_EXISTS", status=409, params={"numero": numero}) from None
    message = tramites.NotificationMessage(id=tramites.notification_id(numero), numeroTransaccion=numero, generation=0)
    try:
        tramites.enqueue_notification(settings.notification_queue_url, message)
    except Exception:
        store.withdraw_unnotified(numero)  # nothing half-written: without its notification it would wait forever
        raise
    audit.record(
        settings.audit_table_name,
        tramites.audit_entity(numero),
        "TRAMITE_FILED",
        actor,
        {"ccfNit": request.ccfNit, "codigoNovedad": request.codigoNovedad, "fechaVigencia": item["fechaVigencia"]},
    )
    return view(TramiteHistory(profile=item))


def get_tramite(settings: ExchangeSettings, numero: str) -> dict[str, Any]:
    history = ExchangeRepository(settings.main_table_name).history(numero)
    if history.profile is None:
        raise not_found("TRAMITE_NOT_FOUND")
    return view(history)


def redrive(settings: ExchangeSettings, numero: str, actor: Actor) -> dict[str, Any]:
    """FALLIDA → PENDIENTE with a new generation, and a new notification message (same idempotency key)."""
    redrive_one(settings, numero, actor)
    return get_tramite(settings, numero)


def redrive_one(settings: ExchangeSettings, numero: str, actor: Actor, details: dict[str, Any] | None = None) -> int:
    """The one step every redrive takes (decisions 0060, 0094, 0107): only from FALLIDA (404/409 otherwise), so a
    trámite redriven and not failed again is never redriven twice. Returns the new generation."""
    store = ExchangeRepository(settings.main_table_name)
    try:
        updated = store.redrive(numero, clock.stamp(), actor.subject)
    except ConditionFailed:
        current = store.tramite(numero)
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
        store.undo_redrive(numero, generation)
        raise
    audit.record(
        settings.audit_table_name,
        tramites.audit_entity(numero),
        "TRAMITE_REDRIVEN",
        actor,
        {"generation": generation, "ccfNit": updated.get("ccfNit"), **(details or {})},
    )
    return generation
