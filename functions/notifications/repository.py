"""The notification worker's items in the main table, with every DynamoDB expression of the area (decisions 0062,
0105): the trámite's lease, schedule and outcome, its delivery attempts, and the notices' daily claim.

Items (sat_common.tramites): `TRAMITE#<n>` / `PROFILE` (state, generation, attempts, lease and schedule),
`TRAMITE#<n>` / `DELIVERY#<stamp>#<id>` (one attempt), `EMPLOYER#<nit>` / `NOTIFYMISSING` (the day's claim of the
"no notification service" e-mail, TTL expiresAt).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sat_common import ccf_access, keys, shared_services, tramites
from sat_common.items import ConditionFailed, ItemStore

_CLEAR_SCHEDULE = "REMOVE leaseUntil, nextAttemptEpoch, nextAttemptAt"


def missing_notice_key(nit: str) -> dict[str, str]:
    """The day's claim of the `notification-service-missing` e-mail (TTL expiresAt)."""
    return {"PK": keys.employer(nit), "SK": keys.NOTIFYMISSING}


class DeliveryRepository(ItemStore):
    # ----------------------------------------------------------------- reads
    def tramite(self, numero: str) -> dict[str, Any] | None:
        return self.get(tramites.tramite_key(numero))

    def shared_service(self, nit: str, shared_service_id: str) -> dict[str, Any] | None:
        return self.get(shared_services.item_key(nit, shared_service_id), consistent=False)

    def ccf_activation(self, nit: str) -> dict[str, Any] | None:
        return self.get(ccf_access.activation_key(nit), consistent=False)

    # ----------------------------------------------------------------- one copy at a time
    def lease(self, numero: str, generation: int, now: int, until: int) -> bool:
        """Take the trámite's delivery lease (still PENDIENTE, same generation, no live lease); False when
        another copy of the message holds it or the trámite moved on."""
        try:
            self.update(
                tramites.tramite_key(numero),
                "SET leaseUntil = :until",
                "estado = :p AND generation = :g AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
                values={":until": until, ":now": now, ":p": tramites.PENDIENTE, ":g": generation},
            )
        except ConditionFailed:
            return False
        return True

    def release(self, numero: str) -> None:
        self.update(tramites.tramite_key(numero), "REMOVE leaseUntil")

    # ----------------------------------------------------------------- the schedule and the outcome
    def schedule_next(self, numero: str, generation: int, started: int, due_epoch: int, due_at: str) -> None:
        """When the next attempt is due (the message itself waits in SQS); releases the lease."""
        self.update(
            tramites.tramite_key(numero),
            "SET windowGeneration = :g, windowStartedEpoch = :started, nextAttemptEpoch = :due, "
            "nextAttemptAt = :at REMOVE leaseUntil",
            values={":g": generation, ":started": started, ":due": due_epoch, ":at": due_at},
        )

    def acknowledge(self, numero: str, generation: int, acknowledgement: Mapping[str, Any], at: str) -> bool:
        """PENDIENTE → NOTIFICADA with the acknowledgement; False when the trámite is no longer PENDIENTE of this
        generation (then `keep_acknowledgement`)."""
        try:
            self.update(
                tramites.tramite_key(numero),
                "SET estado = :n, acknowledgement = :ack, updatedAt = :now, GSI2PK = :gsi, GSI2SK = :now "
                + _CLEAR_SCHEDULE,
                "estado = :p AND generation = :g",
                values={
                    ":n": tramites.NOTIFICADA,
                    ":p": tramites.PENDIENTE,
                    ":g": generation,
                    ":now": at,
                    ":ack": dict(acknowledgement),
                    ":gsi": keys.tramites_by_state(tramites.NOTIFICADA),
                },
            )
        except ConditionFailed:
            return False
        return True

    def keep_acknowledgement(self, numero: str, acknowledgement: Mapping[str, Any]) -> None:
        """The acknowledgement of a trámite answered meanwhile: its final state stays."""
        self.update(
            tramites.tramite_key(numero),
            "SET acknowledgement = :ack REMOVE leaseUntil",
            values={":ack": dict(acknowledgement)},
        )

    def fail(self, numero: str, generation: int, reason: str, at: str) -> bool:
        """PENDIENTE → FALLIDA; False when the trámite is no longer PENDIENTE of this generation."""
        try:
            self.update(
                tramites.tramite_key(numero),
                "SET estado = :f, failedAt = :now, failureReason = :reason, updatedAt = :now, "
                "GSI2PK = :gsi, GSI2SK = :now " + _CLEAR_SCHEDULE,
                "estado = :p AND generation = :g",
                values={
                    ":f": tramites.FALLIDA,
                    ":p": tramites.PENDIENTE,
                    ":g": generation,
                    ":now": at,
                    ":reason": reason,
                    ":gsi": keys.tramites_by_state(tramites.FALLIDA),
                },
            )
        except ConditionFailed:
            return False
        return True

    # ----------------------------------------------------------------- attempts
    def record_attempt(self, numero: str, at: str, attempt_id: str, entry: Mapping[str, Any]) -> None:
        """One DELIVERY# item (the detail's attempt list)."""
        self.put({**tramites.delivery_key(numero, at, attempt_id), **entry})

    def count_attempt(self, numero: str, outcome: str, at: str) -> dict[str, Any]:
        """attempts + 1, lastAttemptAt and lastOutcome (what GET /admin/tramites lists without reading the attempts,
        decision 0094); the trámite as it is now."""
        return self.update(
            tramites.tramite_key(numero),
            "SET attempts = if_not_exists(attempts, :zero) + :one, lastAttemptAt = :now, lastOutcome = :outcome",
            values={":zero": 0, ":one": 1, ":now": at, ":outcome": outcome},
        )

    # ----------------------------------------------------------------- notices
    def claim_missing_notice(self, nit: str, now: int, interval: int) -> bool:
        """The CCF's "no notification service" e-mail for the next `interval` seconds; False when claimed."""
        try:
            self.put(
                {**missing_notice_key(nit), "notBefore": now + interval, "expiresAt": now + interval},
                "attribute_not_exists(PK) OR notBefore <= :now",
                values={":now": now},
            )
        except ConditionFailed:
            return False
        return True
