"""Health of a CCF's notification endpoint as the deliveries see it (decision 0105), kept on its shared-service
item (`EMPLOYER#<nit>` / `SHARED#<id>`, sat_common.shared_services):

    failingSince     time (clock.stamp) of the first delivery attempt without an acknowledgement since the last
                     one that was acknowledged (absent while the endpoint answers)
    status DISABLED  the endpoint answered 410 Gone, or kept failing for NOTIFICATION_DISABLE_AFTER_DAYS;
    disabledAt, disabledReason (HTTP_410 or FALLA_PROLONGADA)

Disabling bumps `revision` (the share area's optimistic lock), so a concurrent change of the service by a person
is refused and retried on the new state rather than silently re-activating it. `failingSince` does not: a change
of the service that drops it only restarts the count. A successful connection test (share area) or test
notification makes the service ACTIVE again and removes all three attributes. The writes and their conditions are
in sat_common.repositories.endpoint_health.
"""

from __future__ import annotations

from sat_common import clock
from sat_common.repositories.endpoint_health import EndpointHealthRepository

GONE = "HTTP_410"
PROLONGED = "FALLA_PROLONGADA"


def note_success(table_name: str, nit: str, shared_service_id: str) -> None:
    """An acknowledged delivery: the endpoint is not failing (one write only when it was)."""
    EndpointHealthRepository(table_name).clear_failing(nit, shared_service_id)


def note_failure(table_name: str, nit: str, shared_service_id: str, disable_after_seconds: int) -> bool:
    """An attempt without an acknowledgement. True when it disabled the endpoint (it had been failing for
    `disable_after_seconds`); the caller tells the people concerned."""
    store = EndpointHealthRepository(table_name)
    now = clock.now()
    if store.start_failing(nit, shared_service_id, clock.stamp(now)):
        return False
    since = store.failing_since(nit, shared_service_id)  # older items hold `+00:00` seconds: parse reads both
    if not since or (now - clock.parse(since)).total_seconds() < disable_after_seconds:
        return False
    return disable(table_name, nit, shared_service_id, PROLONGED)


def disable(table_name: str, nit: str, shared_service_id: str, reason: str) -> bool:
    """A delivering service → DISABLED (decision 0105; also while a new configuration waits, decision 0111);
    False when it was not delivering (already disabled, or changed meanwhile)."""
    return EndpointHealthRepository(table_name).disable(nit, shared_service_id, reason, clock.stamp())


def enable(table_name: str, nit: str, shared_service_id: str) -> bool:
    """DISABLED → ACTIVE after a successful test notification (the connection test does it in its own write)."""
    return EndpointHealthRepository(table_name).enable(nit, shared_service_id)
