"""The Ministry's trámites lists and the bulk redrive of a CCF's failed trámites (decision 0094).

Which index serves a list (never a Scan, at most two Queries per page):
- `ccfNit` alone: GSI1 `CCF#<nit>` — one Query per type (`TRAMITE#<createdAt>`, `TRASLADO#<createdAt>`), merged.
- `state` alone: GSI2 `TRAMSTATE#<state>` (or `TRASSTATE#RECIBIDA`) — one Query.
- both: the open states (PENDIENTE, FALLIDA) are few, so GSI2 filtered by CCF; the others (NOTIFICADA,
  APROBADA, RECHAZADA, RECIBIDA) grow with time, so GSI1 of the CCF filtered by state.
`from`/`to` always bound `createdAt`: a key condition on GSI1; on GSI2 (sorted by `updatedAt` ≥ `createdAt`) a
key condition from `from` on, and a filter for both ends. The Queries themselves are in exchange.repository.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exchange.config import ExchangeSettings
from exchange.ministry_tramites import redrive_one
from exchange.models import TRAMITE_STATES, TRANSFER_STATES
from exchange.repository import ExchangeRepository
from sat_common import audit, clock, keys, listing, tramites
from sat_common.audit import Actor
from sat_common.errors import DomainError, FieldError, invalid

QUERY_PARAMETERS = frozenset({"state", "ccfNit", "type", "from", "to", "limit", "pageToken"})
OPEN_STATES = frozenset({tramites.PENDIENTE, tramites.FALLIDA})
BULK_REDRIVE_MAX = 25  # per call: each costs an update, a queue message and an audit entry (≈ 1 s for 25)
BULK_REDRIVE_MAX_QUERIES = 10  # pages of the FALLIDA index read per call before answering remaining: true


@dataclass(frozen=True)
class Filters:
    state: str | None
    ccf_nit: str | None
    kind: str | None  # TRAMITE | TRASLADO
    start: str | None
    end: str | None

    def binding(self) -> dict[str, Any]:
        """What a page token is bound to (sat_common.listing)."""
        return {"r": "tramites", "s": self.state, "n": self.ccf_nit, "t": self.kind, "f": self.start, "e": self.end}


def filters(state: str | None, ccf_nit: str | None, kind: str | None, start: str | None, end: str | None) -> Filters:
    if not state and not ccf_nit:
        raise invalid([FieldError("state", "tramite_filter_required")])
    if state and kind:
        own = "TRAMITE" if state in TRAMITE_STATES else "TRASLADO"
        if own != kind:
            raise invalid([FieldError("state", "state_not_of_type", {"state": state, "type": kind})])
    span = listing.time_range(start, end, clock.now())
    return Filters(state, ccf_nit, kind, span.start, span.end)


def _kind_of_state(state: str) -> str:
    return "TRASLADO" if state in TRANSFER_STATES else "TRAMITE"


def sources(f: Filters) -> list[listing.Source]:
    """The Queries that serve these filters (see the module's docstring)."""
    if f.state and (not f.ccf_nit or f.state in OPEN_STATES):
        return [ExchangeRepository.by_state(f.state, _kind_of_state(f.state), f.start, f.end, f.ccf_nit)]
    if f.state:
        return [ExchangeRepository.by_ccf(str(f.ccf_nit), _kind_of_state(f.state), f.start, f.end, f.state)]
    kinds = [f.kind] if f.kind else ["TRAMITE", "TRASLADO"]
    return [ExchangeRepository.by_ccf(str(f.ccf_nit), kind, f.start, f.end, None) for kind in kinds]


def summary(item: Mapping[str, Any]) -> dict[str, Any]:
    """A list row (exchange.models.TramiteSummary, which normalizes its timestamps)."""
    if str(item["PK"]).startswith(keys.TRASLADO):
        return {
            "numeroTransaccion": str(item["PK"]).removeprefix(keys.TRASLADO),
            "type": "TRASLADO",
            "ccfNit": str(item.get("GSI1PK", keys.CCF)).removeprefix(keys.CCF),
            "state": item.get("estado"),
            "codigoNovedad": None,
            "createdAt": item["createdAt"],
            "updatedAt": item.get("updatedAt") or item["createdAt"],
            "attempts": 0,
            "lastOutcome": None,
        }
    return {
        "numeroTransaccion": item["numeroTransaccion"],
        "type": "TRAMITE",
        "ccfNit": item["ccfNit"],
        "state": item["estado"],
        "codigoNovedad": item.get("codigoNovedad"),
        "createdAt": item["createdAt"],
        "updatedAt": item["updatedAt"],
        "attempts": int(item.get("attempts", 0)),
        "lastOutcome": item.get("lastOutcome"),  # absent on trámites delivered before it was kept
    }


def list_page(settings: ExchangeSettings, f: Filters, limit: int, token: str | None) -> dict[str, Any]:
    items, next_token = listing.page(settings.main_table_name, sources(f), limit, token, f.binding())
    return {"items": [summary(item) for item in items], "nextPageToken": next_token}


# --------------------------------------------------------------------------- bulk redrive
def redrive_failed(settings: ExchangeSettings, ccf_nit: str, actor: Actor) -> dict[str, Any]:
    """Redrive up to BULK_REDRIVE_MAX of the CCF's FALLIDA trámites, oldest failure first. Each goes through
    the single redrive's conditional step: one that is no longer FALLIDA (redriven meanwhile, or the index
    not caught up yet) is skipped, never redriven twice."""
    store = ExchangeRepository(settings.main_table_name)
    start_key: dict[str, Any] | None = None
    redriven: list[str] = []
    remaining = False
    for _ in range(BULK_REDRIVE_MAX_QUERIES):
        items, last = store.failed_of_ccf(ccf_nit, start_key)
        for position, item in enumerate(items):
            if len(redriven) == BULK_REDRIVE_MAX:
                remaining = True  # a further candidate exists on this page
                break
            numero = str(item["numeroTransaccion"])
            try:
                redrive_one(settings, numero, actor, {"bulk": True})
            except DomainError as error:
                if error.status not in (404, 409):
                    raise
                continue
            redriven.append(numero)
            if len(redriven) == BULK_REDRIVE_MAX and position == len(items) - 1:
                remaining = last is not None
        if remaining or len(redriven) == BULK_REDRIVE_MAX or last is None:
            break
        start_key = last
    else:
        remaining = True  # the query budget ran out before the index did
    audit.record(
        settings.audit_table_name,
        keys.ccf(ccf_nit),
        "TRAMITES_BULK_REDRIVEN",
        actor,
        {"ccfNit": ccf_nit, "count": len(redriven), "remaining": remaining, "numeros": redriven},
    )
    return {"count": len(redriven), "remaining": remaining, "numerosTransaccion": redriven}
