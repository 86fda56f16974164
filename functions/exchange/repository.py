"""The exchange's items in the main table (sat_common.tramites lists them), with every DynamoDB expression of the
area: named operations on trámites, their attempts, pulls and answer, transfer requests, the redelivery limits
(decision 0107) and the Queries of the trámite lists (decision 0094).

Timestamps are sat_common.clock.stamp's (`…T08:00:00.000Z`); items written before it hold `…T08:00:00.000+00:00`,
which sorts just before the `Z` form of the same millisecond, so sort keys and index keys of both forms stay in
time order. A lower bound is given without its `Z` (`since`), a prefix of both forms, so an item of either form
at exactly `from` is listed; the upper bound keeps its `Z`, which sorts after both.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sat_common import ccf_access, keys, listing, tramites
from sat_common.items import ConditionFailed, ItemStore, Transaction

GSI1_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK")
GSI2_KEYS = ("PK", "SK", "GSI2PK", "GSI2SK")
KIND_PREFIX = {"TRAMITE": keys.TRAMITE, "TRASLADO": keys.TRASLADO}  # GSI1SK `<kind>#<createdAt>`
STATE_PREFIX = {"TRAMITE": keys.TRAMSTATE, "TRASLADO": keys.TRASSTATE}
TRANSACTION_TRIES = 5


@dataclass
class TramiteHistory:
    """A trámite's partition read at once: the trámite, its delivery attempts and pulls (oldest first), its answer."""

    profile: dict[str, Any] | None
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    answer: dict[str, Any] | None = None
    pulls: list[dict[str, Any]] = field(default_factory=list)


def since(start: str) -> str:
    """A key condition's lower bound for a stamp: without its `Z` (see the module's docstring)."""
    return start.removesuffix("Z")


def state_index_key(state: str) -> str:
    return keys.tramites_by_state(state)


class ExchangeRepository(ItemStore):
    # ----------------------------------------------------------------- reads
    def ccf_activation(self, nit: str, consistent: bool = True) -> dict[str, Any] | None:
        """The CCF's activation item (status ACTIVE, businessName)."""
        return self.get(ccf_access.activation_key(nit), consistent)

    def tramite(self, numero: str) -> dict[str, Any] | None:
        return self.get(tramites.tramite_key(numero))

    def history(self, numero: str) -> TramiteHistory:
        from boto3.dynamodb.conditions import Key

        items = self.query_all(KeyConditionExpression=Key("PK").eq(keys.tramite(numero)), ConsistentRead=True)
        history = TramiteHistory(profile=None)
        for item in items:
            sort_key = str(item["SK"])
            if sort_key == keys.PROFILE:
                history.profile = item
            elif sort_key == keys.ANSWER:
                history.answer = item
            elif sort_key.startswith(keys.DELIVERY):
                history.deliveries.append(item)
            elif sort_key.startswith(keys.PULL):
                history.pulls.append(item)
        return history

    def answer(self, numero: str) -> dict[str, Any] | None:
        return self.get(tramites.answer_key(numero))

    def transfer(self, numero: str) -> dict[str, Any] | None:
        return self.get(tramites.transfer_key(numero))

    # ----------------------------------------------------------------- the Ministry's side
    def file_tramite(self, item: Mapping[str, Any]) -> None:
        """A new trámite; ConditionFailed when its number exists."""
        self.put(item, "attribute_not_exists(PK)")

    def withdraw_unnotified(self, numero: str) -> bool:
        """Remove a trámite whose notification could not be queued (still PENDIENTE, never attempted); False
        when it is no longer so."""
        try:
            self.delete(
                tramites.tramite_key(numero),
                "estado = :p AND attempts = :zero",
                values={":p": tramites.PENDIENTE, ":zero": 0},
            )
        except ConditionFailed:
            return False
        return True

    def redrive(self, numero: str, at: str, by: str) -> dict[str, Any]:
        """FALLIDA → PENDIENTE with a new generation; the trámite as it is now. ConditionFailed when it does not
        exist or is not FALLIDA."""
        return self.update(
            tramites.tramite_key(numero),
            "SET estado = :p, generation = generation + :one, attempts = :zero, updatedAt = :now, "
            "lastRedriveAt = :now, lastRedriveBy = :by, GSI2PK = :gsi, GSI2SK = :now REMOVE leaseUntil",
            "attribute_exists(PK) AND estado = :f",
            values={
                ":p": tramites.PENDIENTE,
                ":f": tramites.FALLIDA,
                ":one": 1,
                ":zero": 0,
                ":now": at,
                ":by": by,
                ":gsi": state_index_key(tramites.PENDIENTE),
            },
        )

    def undo_redrive(self, numero: str, generation: int) -> bool:
        """Back to FALLIDA when the redriven notification could not be queued (the Ministry can try again);
        False when the trámite changed meanwhile."""
        try:
            self.update(
                tramites.tramite_key(numero),
                "SET estado = :f, GSI2PK = :gsi",
                "generation = :g AND estado = :p",
                values={
                    ":f": tramites.FALLIDA,
                    ":p": tramites.PENDIENTE,
                    ":g": generation,
                    ":gsi": state_index_key(tramites.FALLIDA),
                },
            )
        except ConditionFailed:
            return False
        return True

    def restart_pending(self, numero: str, generation: int, at: str) -> dict[str, Any]:
        """A new generation of a PENDIENTE trámite, its schedule cleared; ConditionFailed when it changed."""
        return self.update(
            tramites.tramite_key(numero),
            "SET generation = generation + :one, attempts = :zero, updatedAt = :now "
            "REMOVE leaseUntil, nextAttemptEpoch, nextAttemptAt",
            "estado = :p AND generation = :g",
            values={":one": 1, ":zero": 0, ":now": at, ":p": tramites.PENDIENTE, ":g": generation},
        )

    # ----------------------------------------------------------------- the CCF systems' side (/sat)
    def record_pull(self, numero: str, at: str, outcome: str, client_id: str) -> None:
        """One pull in the history GET /admin/tramites/{n} shows (only the audit search may read the audit table:
        decision 0095)."""
        self.put({**tramites.pull_key(numero, at, secrets.token_hex(4)), "at": at, "outcome": outcome,
                  "clientId": client_id})  # fmt: skip

    def mark_pulled(self, numero: str, at: str) -> None:
        self.update(
            tramites.tramite_key(numero),
            "SET pulledAt = if_not_exists(pulledAt, :now), lastPulledAt = :now, "
            "pullCount = if_not_exists(pullCount, :zero) + :one",
            values={":now": at, ":zero": 0, ":one": 1},
        )

    def record_answer(self, answer: Mapping[str, Any], final_state: str, at: str) -> None:
        """The answer item and the trámite's final state, all or nothing; ConditionFailed when the trámite was
        answered already (or is not answerable)."""
        numero = str(answer["PK"]).removeprefix(keys.TRAMITE)
        transaction = (
            self.tx()
            .put(answer, "attribute_not_exists(PK)")
            .update(
                tramites.tramite_key(numero),
                "SET estado = :final, updatedAt = :now, answeredAt = :now, GSI2PK = :gsi, GSI2SK = :now",
                "estado IN (:p, :n, :f)",
                values={
                    ":final": final_state,
                    ":now": at,
                    ":gsi": state_index_key(final_state),
                    ":p": tramites.PENDIENTE,
                    ":n": tramites.NOTIFICADA,
                    ":f": tramites.FALLIDA,
                },
            )
        )
        _commit_retrying_conflicts(transaction)

    def mark_result_email_queued(self, numero: str, at: str) -> None:
        self.update(
            tramites.answer_key(numero),
            "SET emailQueuedAt = if_not_exists(emailQueuedAt, :now)",
            values={":now": at},
        )

    def record_transfer(self, item: Mapping[str, Any]) -> None:
        """A new transfer request; ConditionFailed when its number exists."""
        self.put(item, "attribute_not_exists(PK)")

    # ----------------------------------------------------------------- the CCF's redelivery limits (0107)
    def claim_redelivery(self, nit: str, numero: str, now: int, interval: int) -> bool:
        """The trámite's next redelivery slot (one per `interval` seconds); False when it is not yet free."""
        try:
            self.put(
                {**_redelivery_key(nit, numero), "notBefore": now + interval, "expiresAt": now + interval},
                "attribute_not_exists(PK) OR notBefore <= :now",
                values={":now": now},
            )
        except ConditionFailed:
            return False
        return True

    def redelivery_not_before(self, nit: str, numero: str) -> int | None:
        item = self.get(_redelivery_key(nit, numero), consistent=False)
        return int(item["notBefore"]) if item and "notBefore" in item else None

    def count_hourly_redelivery(self, nit: str, hour: int, limit: int) -> bool:
        """One more redelivery of the CCF in the clock hour starting at `hour`; False when `limit` were made."""
        try:
            self.update(
                {"PK": keys.ccf(nit), "SK": keys.redelivery_hour(hour)},
                "SET expiresAt = :expires ADD requests :one",
                "attribute_not_exists(requests) OR requests < :max",
                values={":one": 1, ":max": limit, ":expires": hour + 7200},
            )
        except ConditionFailed:
            return False
        return True

    # ----------------------------------------------------------------- the trámite lists (0094, 0107)
    @staticmethod
    def by_ccf(nit: str, kind: str, start: str | None, end: str | None, state: str | None) -> listing.Source:
        """GSI1 `CCF#<nit>` / `<kind>#<createdAt>`, newest first; optionally bounded and filtered by state."""
        from boto3.dynamodb.conditions import Attr, Key

        prefix = KIND_PREFIX[kind]
        pk = keys.ccf(nit)
        condition = Key("GSI1PK").eq(pk)
        if start is not None:
            condition &= Key("GSI1SK").between(prefix + since(start), prefix + str(end))
        else:
            condition &= Key("GSI1SK").begins_with(prefix)
        query: dict[str, Any] = {"IndexName": "GSI1", "KeyConditionExpression": condition}
        if state:
            query["FilterExpression"] = Attr("estado").eq(state)
        return listing.Source(
            query=query,
            key_names=GSI1_KEYS,
            accept=lambda key: key["GSI1PK"] == pk and key["GSI1SK"].startswith(prefix) and key["SK"] == keys.PROFILE,
            order=lambda item: str(item["GSI1SK"]).removeprefix(prefix),
        )

    @staticmethod
    def by_state(state: str, kind: str, start: str | None, end: str | None, nit: str | None = None) -> listing.Source:
        """GSI2 `<TRAMSTATE|TRASSTATE>#<state>` / updatedAt, newest first. updatedAt ≥ createdAt, so `start`
        bounds the key and both ends filter createdAt; optionally filtered by the CCF."""
        from boto3.dynamodb.conditions import Attr, Key

        pk = f"{STATE_PREFIX[kind]}{state}"
        condition = Key("GSI2PK").eq(pk)
        filter_ = None
        if start is not None:
            condition &= Key("GSI2SK").gte(since(start))
            filter_ = Attr("createdAt").between(since(start), str(end))
        if nit:
            by_ccf = Attr("GSI1PK").eq(keys.ccf(nit))
            filter_ = by_ccf if filter_ is None else filter_ & by_ccf
        query: dict[str, Any] = {"IndexName": "GSI2", "KeyConditionExpression": condition}
        if filter_ is not None:
            query["FilterExpression"] = filter_
        return listing.Source(
            query=query,
            key_names=GSI2_KEYS,
            accept=lambda key: key["GSI2PK"] == pk and key["SK"] == keys.PROFILE,
            order=lambda item: str(item["GSI2SK"]),
        )

    def failed_of_ccf(
        self, nit: str, start_key: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page (up to 100 read) of the CCF's FALLIDA trámites, oldest failure first, and where it stopped."""
        from boto3.dynamodb.conditions import Attr, Key

        query: dict[str, Any] = {
            "IndexName": "GSI2",
            "KeyConditionExpression": Key("GSI2PK").eq(state_index_key(tramites.FALLIDA)),
            "FilterExpression": Attr("GSI1PK").eq(keys.ccf(nit)),
            "ScanIndexForward": True,
            "Limit": 100,
        }
        if start_key:
            query["ExclusiveStartKey"] = start_key
        return self.query(**query)


def _redelivery_key(nit: str, numero: str) -> dict[str, str]:
    return {"PK": keys.ccf(nit), "SK": keys.redelivery(numero)}


def _commit_retrying_conflicts(transaction: Transaction, tries: int = TRANSACTION_TRIES) -> None:
    """A concurrent transaction on the same item cancels ours with TransactionConflict: try again shortly."""
    from botocore.exceptions import ClientError

    for attempt in range(tries):
        try:
            transaction.commit()
            return
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            if attempt == tries - 1 or not any(reason.get("Code") == "TransactionConflict" for reason in reasons):
                raise
            time.sleep(0.02 * (attempt + 1) + secrets.randbelow(30) / 1000)
