"""The Ministry's summary of each CCF, kept on its activation item (`CCF#<nit>` / `ACTIVATION`) so that
GET /admin/ccfs answers a page with one Query (decision 0093). Each area updates its part where the fact changes:

    servicesAssigned   catalog: +1 / -1 in the assignment's own transaction
    sharedServices     share: rewritten after every change of a shared service or its connection test
                       ({total, notification: {sharedServiceId, name, status, connection, checkedAt} | null})
    lastDelivery       notifications: the newest delivery attempt ({numeroTransaccion, outcome, at})
    status, stateReason, stateSince, stateBy
                       catalog: PATCH /admin/ccfs/{nit} (ACTIVE / SUSPENDED)

Every update is conditioned on the activation item existing, so a summary never creates one (the writes:
sat_common.repositories.ccf_summary); a summary write that fails is logged and never fails the caller's own change
(the next change writes it again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sat_common.observability import logger
from sat_common.repositories.ccf_summary import CcfSummaryRepository

SUSPENDED = "SUSPENDED"


def _best_effort(write: Callable[[], Any]) -> None:
    """A summary write that fails is logged, never raised (the next change writes it again)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        write()
    except (ClientError, BotoCoreError) as error:
        logger.warning("CCF summary not updated", extra={"errorType": type(error).__name__})


def shared_services_summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    """{total, notification} from the CCF's shared-service metadata items; the notification service is the one
    with purpose NOTIFICACION_TRAMITES (decision 0106; items without `purpose` by the legacy name rule)."""
    from sat_common.shared_services import NOTIFICATION_PURPOSE, purpose_of

    notification = None
    for item in items:
        if purpose_of(item) == NOTIFICATION_PURPOSE:
            connection = item.get("connection") or {}
            notification = {
                "sharedServiceId": item.get("sharedServiceId"),
                "name": item.get("name"),
                "status": item.get("status"),
                "connection": connection.get("status"),
                "checkedAt": connection.get("checkedAt"),
            }
    return {"total": len(items), "notification": notification}


def refresh_shared_services(table_name: str, nit: str) -> None:
    """Re-read the CCF's shared services (one Query) and store their summary on the activation item."""
    store = CcfSummaryRepository(table_name)
    try:
        items = store.shared_service_items(nit)
    except Exception as error:  # a summary never fails the change that triggered it
        logger.warning("CCF shared-service summary not read", extra={"errorType": type(error).__name__})
        return
    _best_effort(lambda: store.store_shared_services(nit, shared_services_summary(items)))


def record_delivery(table_name: str, nit: str, numero: str, outcome: str, at: str) -> None:
    """The newest delivery attempt to the CCF (an older one arriving late does not replace it)."""
    delivery = {"numeroTransaccion": numero, "outcome": outcome, "at": at}
    _best_effort(lambda: CcfSummaryRepository(table_name).store_last_delivery(nit, delivery, at))
