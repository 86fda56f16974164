"""The catalog area's items in the main table (layout: sat_common.ccf_access; docs/data-model.md): CCF activations,
the Ministry's services, assignments with their Client ID lookup, terms decisions and the consumer password.
Every DynamoDB expression of the area is here; the use cases call these named operations.

Invariants held by conditions: a CCF is activated and a service created once; a service is assigned at most
once at a time (its Client ID lookup and the CCF's `servicesAssigned` count in the same transaction, decision
0093); the consumer password item is replaced only at the `revision` it was read at (decision 0041).

An authorized person's reads take one or two calls (decision 0113): the person's role, the CCF's activation,
the terms decision and the items the route shows are read together (BatchGetItem), and the CCF's catalog first
reads the activation and every assignment with one Query. The service's name and state stay on the service item
only, so a change by the Ministry is seen on the next read and no copy has to follow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sat_common import ccf_access, keys
from sat_common.ccf_person_access import terms_key
from sat_common.items import ConditionFailed, ItemStore, decode_page_token, encode_page_token

__all__ = ["AssignedService", "CatalogRepository", "CcfCatalog", "ConditionFailed", "PersonAccess"]

_NEW = "attribute_not_exists(PK)"
_EXISTS = "attribute_exists(PK)"
_STATUS = {"#status": "status"}


@dataclass(frozen=True)
class PersonAccess:
    """What decides whether a person may act for a CCF (sat_common.ccf_person_access): their role item, the
    CCF's activation item and their terms decision item, each None when absent."""

    role: dict[str, Any] | None
    activation: dict[str, Any] | None
    terms: dict[str, Any] | None


@dataclass(frozen=True)
class CcfCatalog:
    """The CCF's ACTIVE assignments and the services they name (by id), with the reader's access items."""

    access: PersonAccess
    assignments: list[dict[str, Any]]
    services: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class AssignedService:
    access: PersonAccess
    assignment: dict[str, Any] | None
    service: dict[str, Any] | None


# What the CCF's list needs of the items it reads together: the role's and the terms decision's state and the
# services' listed fields, never a service's OpenAPI text (kilobytes each, for nothing).
_CATALOG_ATTRIBUTES = (
    *("status", "version", "decision"),
    *("serviceId", "code", "name", "description", "operation", "state"),
)


class CatalogRepository(ItemStore):
    # ------------------------------------------------------------------ CCF activation (decision 0093)
    def employer(self, nit: str) -> dict[str, Any] | None:
        """The company's profile, written by the delegation area."""
        return self.get(ccf_access.employer_key(nit))

    def activation(self, nit: str) -> dict[str, Any] | None:
        return self.get(ccf_access.activation_key(nit))

    def activate_ccf(self, item: dict[str, Any]) -> bool:
        """Store a new activation item; False when the CCF was activated already."""
        try:
            self.put(item, _NEW)
        except ConditionFailed:
            return False
        return True

    def change_ccf_state(self, nit: str, state: str, reason: str, at: str, by: str) -> dict[str, Any] | None:
        """The activation item with its new state, or None when there is no activation or it is in `state`."""
        try:
            return self.update(
                ccf_access.activation_key(nit),
                "SET #status = :state, stateReason = :reason, stateSince = :now, stateBy = :by",
                "attribute_exists(PK) AND #status <> :state",
                names=_STATUS,
                values={":state": state, ":reason": reason, ":now": at, ":by": by},
            )
        except ConditionFailed:
            return None

    def ccfs_page(self, limit: int, next_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the activated CCFs (GSI1, by NIT) and the token of the next; another list's token is 422."""
        kwargs: dict[str, Any] = {
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {":pk": keys.CCFS},
            "Limit": limit,
        }
        if next_token:
            kwargs["ExclusiveStartKey"] = decode_page_token(
                next_token, ("PK", "SK", "GSI1PK", "GSI1SK"), accept=lambda key: key["GSI1PK"] == keys.CCFS
            )
        items, last = self.query(**kwargs)
        return items, encode_page_token(last) if last else None

    # ------------------------------------------------------------------ the Ministry's services
    def service(self, service_id: str) -> dict[str, Any] | None:
        return self.get(ccf_access.service_key(service_id))

    def create_service(self, item: dict[str, Any]) -> bool:
        """Store a new service; False when its id (from its code) is taken."""
        try:
            self.put(item, _NEW)
        except ConditionFailed:
            return False
        return True

    def services(self) -> list[dict[str, Any]]:
        """The whole catalog (GSI1, by code)."""
        return self.query_all(
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": keys.SERVICES},
        )

    def update_service(self, service_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """Set the changed attributes of an existing service; the service as it is now, or None if there is none."""
        try:
            return self.update(
                ccf_access.service_key(service_id),
                "SET " + ", ".join(f"#{name} = :{name}" for name in changes),
                _EXISTS,
                names={f"#{name}": name for name in changes},
                values={f":{name}": value for name, value in changes.items()},
            )
        except ConditionFailed:
            return None

    # ------------------------------------------------------------------ assignments and Client IDs
    def assignment(self, nit: str, service_id: str) -> dict[str, Any] | None:
        return self.get(ccf_access.assignment_key(nit, service_id))

    def record_assignment(self, assignment: dict[str, Any], client_lookup: dict[str, Any]) -> bool:
        """The assignment (new, or over a revoked one), its Client ID lookup and +1 on the CCF's count, all or
        nothing; False when the service is assigned already (or the Client ID taken)."""
        tx = self.tx().put(
            assignment,
            "attribute_not_exists(PK) OR #status = :revoked",
            names=_STATUS,
            values={":revoked": ccf_access.REVOKED},
        )
        tx.put(client_lookup, _NEW)
        tx.update(
            ccf_access.activation_key(assignment["nit"]), "ADD servicesAssigned :one", _EXISTS, values={":one": 1}
        )
        try:
            tx.commit()
        except ConditionFailed:
            return False
        return True

    def revoke_assignment(self, nit: str, service_id: str, client_id: str, at: str, by: str) -> bool:
        """Mark the ACTIVE assignment of that Client ID revoked and -1 on the CCF's count, all or nothing; False
        when it is not (any more) the active assignment."""
        try:
            self.tx().update(
                ccf_access.assignment_key(nit, service_id),
                "SET #status = :revoked, revokedAt = :now, revokedBy = :by",
                "#status = :active AND clientId = :client",
                names=_STATUS,
                values={
                    ":revoked": ccf_access.REVOKED,
                    ":active": ccf_access.ACTIVE,
                    ":now": at,
                    ":by": by,
                    ":client": client_id,
                },
            ).update(
                ccf_access.activation_key(nit), "ADD servicesAssigned :minus", _EXISTS, values={":minus": -1}
            ).commit()
        except ConditionFailed:
            return False
        return True

    # ------------------------------------------------------------------ an authorized person's reads (0113)
    def person_access(self, username: str, nit: str) -> PersonAccess:
        """The access items, in one call."""
        role, activation, terms = self.get_many(self._access_keys(username, nit))
        return PersonAccess(role, activation, terms)

    def assigned_service(self, username: str, nit: str, service_id: str) -> AssignedService:
        """The access items, the assignment and the service, in one call."""
        role, activation, terms, assignment, service = self.get_many(
            [
                *self._access_keys(username, nit),
                ccf_access.assignment_key(nit, service_id),
                ccf_access.service_key(service_id),
            ]
        )
        return AssignedService(PersonAccess(role, activation, terms), assignment, service)

    def ccf_catalog(self, username: str, nit: str) -> CcfCatalog:
        """The CCF's active assignments and their services, with the access items, in two calls: one Query of
        the CCF's partition from `ACTIVATION` to the last `ASSIGN#` (the sort keys between them), then the role,
        the terms decision and the services together."""
        activation_key = ccf_access.activation_key(nit)
        items = self.query_all(
            KeyConditionExpression="PK = :pk AND SK BETWEEN :first AND :last",
            ExpressionAttributeValues={
                ":pk": activation_key["PK"],
                ":first": activation_key["SK"],
                ":last": keys.ASSIGN + "\uffff",  # after every `ASSIGN#<serviceId>`
            },
            ConsistentRead=True,
        )
        activation = next((item for item in items if item["SK"] == activation_key["SK"]), None)
        assignments = [
            item
            for item in items
            if str(item["SK"]).startswith(keys.ASSIGN) and item.get("status") == ccf_access.ACTIVE
        ]
        role_key, _, terms = self._access_keys(username, nit)
        role, decision, *services = self.get_many(
            [role_key, terms, *(ccf_access.service_key(item["serviceId"]) for item in assignments)],
            attributes=_CATALOG_ATTRIBUTES,
        )
        return CcfCatalog(
            PersonAccess(role, activation, decision),
            assignments,
            {str(service["serviceId"]): service for service in services if service},
        )

    @staticmethod
    def _access_keys(username: str, nit: str) -> list[dict[str, str]]:
        return [ccf_access.role_key(username, nit), ccf_access.activation_key(nit), terms_key(nit, username)]

    # ------------------------------------------------------------------ terms (manual §6, Paso 3)
    def record_terms_decision(self, item: dict[str, Any]) -> None:
        """The person's latest decision (the audit trail keeps every one)."""
        self.put(item)

    # ------------------------------------------------------------------ consumer password (decision 0040, 0041)
    def consumer_password(self, nit: str) -> dict[str, Any] | None:
        return self.get(ccf_access.password_key(nit))

    def person_access_and_password(self, username: str, nit: str) -> tuple[PersonAccess, dict[str, Any] | None]:
        """The access items and the CCF's consumer password item, in one call."""
        role, activation, terms, password = self.get_many(
            [*self._access_keys(username, nit), ccf_access.password_key(nit)]
        )
        return PersonAccess(role, activation, terms), password

    def replace_consumer_password(self, item: dict[str, Any], read_revision: int | None) -> bool:
        """Store the password item if it is still at `read_revision` (None: there was none); False otherwise."""
        try:
            if read_revision is None:
                self.put(item, _NEW)
            else:
                self.put(item, "revision = :revision", values={":revision": read_revision})
        except ConditionFailed:
            return False
        return True
