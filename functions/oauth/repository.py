"""The token endpoint's items in the main table (docs/decisions/0040, 0054, 0112); keys are sat_common.ccf_access's.

Reads go together (BatchGetItem): a request whose secret this container verified recently reads everything in
one call (`facts` with the remembered CCF and service); any other reads the Client ID's lookup and failure
counters, then the CCF's items (two calls, the same for an unknown Client ID).
"""

from dataclasses import dataclass
from typing import Any

from sat_common import ccf_access
from sat_common.items import ConditionFailed, ItemStore

Item = dict[str, Any]
# What the answer depends on, and nothing more (not the service's OpenAPI document, not the CCF's summary).
READ = ("lockedUntil", "current", "previous", "revision", "nit", "serviceId", "status", "clientId", "state")


@dataclass(frozen=True)
class ClientFacts:
    """What the Client ID's own partition says: its assignment (nit, serviceId) and its failure counters."""

    lookup: Item | None
    source_failures: Item | None
    client_failures: Item | None


@dataclass(frozen=True)
class CcfFacts:
    """The CCF's items a token depends on, read on every request so a change counts at once."""

    password: Item  # CONSUMER_PASSWORD: hashes, revision (empty when there is none)
    assignment: Item | None
    service: Item | None
    activation: Item  # empty when the CCF was never activated


class TokenRepository(ItemStore):
    def client(self, client_id: str, source: str) -> ClientFacts:
        lookup, source_failures, client_failures = self.get_many(
            [
                ccf_access.client_key(client_id),
                ccf_access.failures_key(client_id, source),
                ccf_access.failures_key(client_id),
            ],
            attributes=READ,
        )
        return ClientFacts(lookup, source_failures, client_failures)

    def ccf(self, nit: str, service_id: str) -> CcfFacts:
        password, assignment, service, activation = self.get_many(self._ccf_keys(nit, service_id), attributes=READ)
        return CcfFacts(password or {}, assignment, service, activation or {})

    def client_and_ccf(self, client_id: str, source: str, nit: str, service_id: str) -> tuple[ClientFacts, CcfFacts]:
        """Both in one call, when the CCF and service are known already (a remembered secret): no lookup item,
        the assignment's clientId binds the Client ID to them."""
        keys = [ccf_access.failures_key(client_id, source), ccf_access.failures_key(client_id)]
        source_failures, client_failures, password, assignment, service, activation = self.get_many(
            keys + self._ccf_keys(nit, service_id), attributes=READ
        )
        return (
            ClientFacts(None, source_failures, client_failures),
            CcfFacts(password or {}, assignment, service, activation or {}),
        )

    @staticmethod
    def _ccf_keys(nit: str, service_id: str) -> list[dict[str, str]]:
        return [
            ccf_access.password_key(nit),
            ccf_access.assignment_key(nit, service_id),
            ccf_access.service_key(service_id),
            ccf_access.activation_key(nit),
        ]

    # --------------------------------------------------------------------------- failed attempts (0054)
    def count_failure(self, key: dict[str, str], now: int, window_end: int) -> int:
        """One more failure in the counter's fixed window; a counter whose window is over starts again at 1."""
        try:
            item = self.update(
                key,
                "ADD failures :one SET expiresAt = if_not_exists(expiresAt, :end)",
                "attribute_not_exists(expiresAt) OR expiresAt > :now",
                values={":one": 1, ":end": window_end, ":now": now},
            )
        except ConditionFailed:
            # The previous window is over (TTL deletes late): start a new one.
            self.put({**key, "failures": 1, "expiresAt": window_end})
            return 1
        return int(item["failures"])

    def lock(self, key: dict[str, str], locked_until: int) -> None:
        self.put({**key, "failures": 0, "lockedUntil": locked_until, "expiresAt": locked_until})

    def forgive(self, client_id: str, source: str) -> None:
        """A success forgives its own source's failures."""
        self.delete(ccf_access.failures_key(client_id, source))
