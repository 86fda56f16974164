"""A trámite as GET /admin/tramites/{n} and GET /ccfs/{nit}/tramites/{n} show it: its state, each delivery
attempt, each pull by the CCF, the acknowledgement and the CCF's answer (decisions 0060, 0107)."""

from __future__ import annotations

from typing import Any

from exchange.repository import TramiteHistory
from sat_common.fields import stamped

FIELDS = (
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


def view(history: TramiteHistory) -> dict[str, Any]:
    """The body of exchange.models.TramiteView (its timestamps normalized there, sat_common.fields.Timestamp)."""
    item = history.profile or {}
    body: dict[str, Any] = {key: item[key] for key in FIELDS if item.get(key) is not None}
    body["attempts"] = int(item.get("attempts", 0))
    body["generation"] = int(item.get("generation", 0))
    body["pullCount"] = int(item.get("pullCount", 0))
    if item.get("acknowledgement"):
        acknowledgement = dict(item["acknowledgement"])
        if "at" in acknowledgement:  # a free-form object in the model: normalized here
            acknowledgement["at"] = stamped(acknowledgement["at"])
        body["acknowledgement"] = acknowledgement
    body["deliveries"] = [
        {
            "at": d["at"],
            "attempt": int(d.get("attempt", 0)),
            "outcome": d["outcome"],
            "statusCode": int(d["statusCode"]) if d.get("statusCode") is not None else None,
            "latencyMs": int(d["latencyMs"]) if d.get("latencyMs") is not None else None,
            "reason": d.get("reason"),
        }
        for d in history.deliveries
    ]
    body["pulls"] = [
        {"at": p["at"], "outcome": p.get("outcome", "ENTREGADA"), "clientId": p.get("clientId")} for p in history.pulls
    ]
    if history.answer:
        body["answer"] = history.answer.get("respuesta") or {}
    return body
