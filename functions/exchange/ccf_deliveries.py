"""The CCF's own trámites and deliveries, for its authorized persons (decision 0107).

- the list reuses the Ministry's index plan (tramite_lists: GSI1 `CCF#<nit>` / `TRAMITE#<createdAt>`, or GSI2 of
  an open state filtered by the CCF; one Query a page, never a Scan) with the CCF fixed by the path;
- the detail is the Ministry's view (attempts, pulls, acknowledgement, the CCF's own answer) for the CCF's own
  trámites only: another CCF's trámite is 404, as if it did not exist;
- a redelivery is rate-limited by conditional writes (one per trámite per REDELIVERY_INTERVAL_SECONDS, at most
  REDELIVERY_PER_HOUR per CCF per clock hour) before anything is sent, and audited:
  FALLIDA → the Ministry's redrive step (a new generation, the schedule starts again);
  PENDIENTE → a new generation too: the waiting message becomes stale and the first attempt is due now;
  NOTIFICADA → one more delivery of the same notification with the same Idempotency-Key (a replay message: the
  worker sends once and changes nothing, the CCF's receiver de-duplicates by the key);
  APROBADA / RECHAZADA → 409: the CCF answered, a notification no longer means anything.
"""

from __future__ import annotations

from typing import Any

from exchange import tramite_lists
from exchange.config import ExchangeSettings
from exchange.ministry_tramites import redrive_one
from exchange.repository import ExchangeRepository
from exchange.tramite_view import view
from sat_common import audit, clock, listing
from sat_common import tramites as shared
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.ccf_person_access import require_authorized_with_terms
from sat_common.errors import DomainError, not_found
from sat_common.items import ConditionFailed

QUERY_PARAMETERS = frozenset({"state", "from", "to", "limit", "pageToken"})
REDELIVERY_INTERVAL_SECONDS = 300  # one per trámite per 5 minutes
REDELIVERY_PER_HOUR = 20  # per CCF per clock hour: a person cannot turn the portal into a flood
REDELIVERABLE = frozenset({shared.PENDIENTE, shared.FALLIDA, shared.NOTIFICADA})


def authorize(settings: ExchangeSettings, caller: Caller, nit: str) -> None:
    """The /ccfs/{nit} rule of the catalog and share areas (sat_common.ccf_person_access)."""
    require_authorized_with_terms(settings.main_table_name, caller, nit)


def _own(store: ExchangeRepository, nit: str, numero: str) -> dict[str, Any]:
    found = store.tramite(numero)
    if found is None or found.get("ccfNit") != nit:  # another CCF's trámite does not exist for this one
        raise not_found("TRAMITE_NOT_FOUND")
    return found


# --------------------------------------------------------------------------- list and detail
def list_page(
    settings: ExchangeSettings,
    nit: str,
    state: str | None,
    start: str | None,
    end: str | None,
    limit: int,
    token: str | None,
) -> dict[str, Any]:
    selected = tramite_lists.filters(state, nit, "TRAMITE", start, end)
    binding = {**selected.binding(), "r": "ccf-tramites"}  # a Ministry list's token is not one of these
    items, next_token = listing.page(settings.main_table_name, tramite_lists.sources(selected), limit, token, binding)
    return {"items": [tramite_lists.summary(item) for item in items], "nextPageToken": next_token}


def detail(settings: ExchangeSettings, nit: str, numero: str) -> dict[str, Any]:
    history = ExchangeRepository(settings.main_table_name).history(numero)
    if history.profile is None or history.profile.get("ccfNit") != nit:
        raise not_found("TRAMITE_NOT_FOUND")
    return view(history)


# --------------------------------------------------------------------------- redelivery
def redeliver(settings: ExchangeSettings, nit: str, numero: str, actor: Actor) -> dict[str, Any]:
    store = ExchangeRepository(settings.main_table_name)
    item = _own(store, nit, numero)
    state = str(item.get("estado"))
    if state not in REDELIVERABLE:
        raise DomainError(code="REDELIVERY_NOT_APPLICABLE", status=409, params={"estado": state})
    _rate_limit(store, nit, numero)
    if state == shared.NOTIFICADA:
        message = shared.NotificationMessage(
            id=str(item["notificationId"]), numeroTransaccion=numero, generation=int(item.get("generation", 0)),
            replay=True,
        )  # fmt: skip
        shared.enqueue_notification(settings.notification_queue_url, message)
        generation = message.generation
    elif state == shared.FALLIDA:
        generation = redrive_one(settings, numero, actor, {"requestedBy": "CCF"})
    else:
        generation = _restart_pending(settings, store, numero, int(item.get("generation", 0)))
    audit.record(
        settings.audit_table_name,
        shared.audit_entity(numero),
        "TRAMITE_REDELIVERY_REQUESTED",
        actor,
        {"ccfNit": nit, "estado": state, "generation": generation},
    )
    return {"numeroTransaccion": numero, "estado": state, "generation": generation, "accepted": True}


def _restart_pending(settings: ExchangeSettings, store: ExchangeRepository, numero: str, generation: int) -> int:
    """A new generation of a PENDIENTE trámite: the message waiting on the schedule becomes stale (the worker
    drops it as MENSAJE_ANTERIOR) and the new one is attempted at once."""
    try:
        updated = store.restart_pending(numero, generation, clock.stamp())
    except ConditionFailed:
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    new_generation = int(updated["generation"])
    message = shared.NotificationMessage(
        id=str(updated["notificationId"]), numeroTransaccion=numero, generation=new_generation
    )
    shared.enqueue_notification(settings.notification_queue_url, message)
    return new_generation


def _rate_limit(store: ExchangeRepository, nit: str, numero: str) -> None:
    """Both limits as conditional writes (no read-then-write race); the per-CCF count is spent only after the
    per-trámite interval admitted the request."""
    now = clock.epoch()
    interval = REDELIVERY_INTERVAL_SECONDS
    if not store.claim_redelivery(nit, numero, now, interval):
        not_before = store.redelivery_not_before(nit, numero)
        _limited(max(1, (not_before if not_before is not None else now + interval) - now))
    hour = now - now % 3600
    if not store.count_hourly_redelivery(nit, hour, REDELIVERY_PER_HOUR):
        _limited(max(1, hour + 3600 - now))


def _limited(seconds: int) -> None:
    raise DomainError(
        code="REDELIVERY_RATE_LIMITED", status=429, params={"seconds": seconds}, headers={"Retry-After": str(seconds)}
    )
