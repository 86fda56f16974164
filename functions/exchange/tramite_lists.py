"""The Ministry's trámites lists and the bulk redrive of a CCF's failed trámites (decision 0094).

Which index serves a list (never a Scan, at most two Queries per page):
- `ccfNit` alone: GSI1 `CCF#<nit>` — one Query per type (`TRAMITE#<createdAt>`, `TRASLADO#<createdAt>`), merged.
- `state` alone: GSI2 `TRAMSTATE#<state>` (or `TRASSTATE#RECIBIDA`) — one Query.
- both: the open states (PENDIENTE, FALLIDA) are few, so GSI2 filtered by CCF; the others (NOTIFICADA,
  APROBADA, RECHAZADA, RECIBIDA) grow with time, so GSI1 of the CCF filtered by state.
`from`/`to` always bound `createdAt`: a key condition on GSI1; on GSI2 (sorted by `updatedAt` ≥ `createdAt`) a
key condition from `from` on, and a filter for both ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exchange.config import ExchangeSettings
from exchange.models import TRAMITE_STATES, TRANSFER_STATES
from exchange.tramites import redrive_one
from sat_common import audit, aws, clock, listing, tramites
from sat_common.audit import Actor
from sat_common.errors import DomainError, FieldError, invalid

QUERY_PARAMETERS = frozenset({"state", "ccfNit", "type", "from", "to", "limit", "pageToken"})
OPEN_STATES = frozenset({tramites.PENDIENTE, tramites.FALLIDA})
PREFIX = {"TRAMITE": "TRAMITE", "TRASLADO": "TRASLADO"}  # GSI1SK prefix and main-table PK prefix per type
STATE_PREFIX = {"TRAMITE": "TRAMSTATE", "TRASLADO": "TRASSTATE"}
GSI1_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK")
GSI2_KEYS = ("PK", "SK", "GSI2PK", "GSI2SK")
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


def _created(item: Mapping[str, Any]) -> str:
    """GSI1SK is `<TYPE>#<createdAt>`: the part after the type."""
    return str(item["GSI1SK"]).split("#", 1)[1]


def _by_ccf(f: Filters, kind: str) -> listing.Source:
    from boto3.dynamodb.conditions import Attr, Key  # boto3 on first use only (cold starts)

    prefix = f"{PREFIX[kind]}#"
    pk = f"CCF#{f.ccf_nit}"
    condition = Key("GSI1PK").eq(pk)
    if f.start is not None:
        condition &= Key("GSI1SK").between(prefix + f.start, prefix + str(f.end))
    else:
        condition &= Key("GSI1SK").begins_with(prefix)
    query: dict[str, Any] = {"IndexName": "GSI1", "KeyConditionExpression": condition}
    if f.state:
        query["FilterExpression"] = Attr("estado").eq(f.state)
    return listing.Source(
        query=query,
        key_names=GSI1_KEYS,
        accept=lambda key: key["GSI1PK"] == pk and key["GSI1SK"].startswith(prefix) and key["SK"] == "PROFILE",
        order=_created,
    )


def _by_state(f: Filters) -> listing.Source:
    from boto3.dynamodb.conditions import Attr, Key  # boto3 on first use only (cold starts)

    assert f.state is not None
    kind = _kind_of_state(f.state)
    pk = f"{STATE_PREFIX[kind]}#{f.state}"
    condition = Key("GSI2PK").eq(pk)
    filter_ = None
    if f.start is not None:
        condition &= Key("GSI2SK").gte(f.start)  # updatedAt ≥ createdAt ≥ from
        filter_ = Attr("createdAt").between(f.start, str(f.end))
    if f.ccf_nit:
        by_ccf = Attr("GSI1PK").eq(f"CCF#{f.ccf_nit}")
        filter_ = by_ccf if filter_ is None else filter_ & by_ccf
    query: dict[str, Any] = {"IndexName": "GSI2", "KeyConditionExpression": condition}
    if filter_ is not None:
        query["FilterExpression"] = filter_
    return listing.Source(
        query=query,
        key_names=GSI2_KEYS,
        accept=lambda key: key["GSI2PK"] == pk and key["SK"] == "PROFILE",
        order=lambda item: str(item["GSI2SK"]),
    )


def sources(f: Filters) -> list[listing.Source]:
    """The Queries that serve these filters (see the module's docstring)."""
    if f.state and (not f.ccf_nit or f.state in OPEN_STATES):
        return [_by_state(f)]
    if f.state:
        return [_by_ccf(f, _kind_of_state(f.state))]
    kinds = [f.kind] if f.kind else ["TRAMITE", "TRASLADO"]
    return [_by_ccf(f, kind) for kind in kinds]


def summary(item: Mapping[str, Any]) -> dict[str, Any]:
    if str(item["PK"]).startswith("TRASLADO#"):
        return {
            "numeroTransaccion": str(item["PK"]).split("#", 1)[1],
            "type": "TRASLADO",
            "ccfNit": str(item.get("GSI1PK", "CCF#")).split("#", 1)[1],
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
    from boto3.dynamodb.conditions import Attr, Key

    table = aws.table(settings.main_table_name)
    query: dict[str, Any] = {
        "IndexName": "GSI2",
        "KeyConditionExpression": Key("GSI2PK").eq(f"TRAMSTATE#{tramites.FALLIDA}"),
        "FilterExpression": Attr("GSI1PK").eq(f"CCF#{ccf_nit}"),
        "ScanIndexForward": True,
        "Limit": 100,
    }
    redriven: list[str] = []
    remaining = False
    for _ in range(BULK_REDRIVE_MAX_QUERIES):
        response = table.query(**query)
        items = response.get("Items", [])
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
                remaining = "LastEvaluatedKey" in response
        if remaining or len(redriven) == BULK_REDRIVE_MAX or "LastEvaluatedKey" not in response:
            break
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    else:
        remaining = True  # the query budget ran out before the index did
    audit.record(
        settings.audit_table_name,
        f"CCF#{ccf_nit}",
        "TRAMITES_BULK_REDRIVEN",
        actor,
        {"ccfNit": ccf_nit, "count": len(redriven), "remaining": remaining, "numeros": redriven},
    )
    return {"count": len(redriven), "remaining": remaining, "numerosTransaccion": redriven}
