"""Who acts on which CCF's shared services, and what every operation of the area does first or last: the access
rule (manual §6 "Compartir servicios web con la Entidad": an authorized person of the CCF who accepted the
terms), the service's item, the audit entry, new ids and the compensation of a secret version never referenced.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sat_common import audit, keys
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.ccf_person_access import require_authorized_with_terms
from sat_common.errors import DomainError
from sat_common.items import ConditionFailed
from share import secrets_store
from share.config import ShareSettings
from share.repository import SharedServiceRepository


@dataclass(frozen=True)
class Context:
    settings: ShareSettings
    caller: Caller
    actor: Actor
    nit: str

    @cached_property
    def repository(self) -> SharedServiceRepository:
        return SharedServiceRepository(self.settings.main_table_name)


def authorize(ctx: Context) -> dict[str, Any]:
    """The CCF's activation item (its business name) when the caller may act on its shared services."""
    return require_authorized_with_terms(ctx.settings.main_table_name, ctx.caller, ctx.nit)


def existing(ctx: Context, shared_service_id: str) -> dict[str, Any]:
    """The service's item; 404 when the CCF has none with that id."""
    item = ctx.repository.service(ctx.nit, shared_service_id)
    if not item:
        raise DomainError(code="SHARED_SERVICE_NOT_FOUND", status=404, params={"sharedServiceId": shared_service_id})
    return item


def record(ctx: Context, action: str, shared_service_id: str, details: dict[str, Any]) -> None:
    """The audit entry of an operation on a shared service (never a secret; None values left out)."""
    audit.record(
        ctx.settings.audit_table_name,
        keys.employer(ctx.nit),
        action,
        ctx.actor,
        {"sharedServiceId": shared_service_id, **{k: v for k, v in details.items() if v is not None}},
    )


def compensate_version(item: dict[str, Any], new_version: str | None) -> None:
    """After a failed metadata write: AWSCURRENT back to the version the item still names (decision 0050)."""
    if new_version:
        secrets_store.revert_current(item["secretName"], item["secretVersionId"], new_version)


def replace_with_version(ctx: Context, item: dict[str, Any], new: dict[str, Any], new_version: str | None) -> None:
    """Write the new metadata over `item` (its revision unchanged meanwhile); on any failure put AWSCURRENT back
    on the version the item still names, and a lost race is a 409."""
    try:
        ctx.repository.replace(new, item["revision"])
    except ConditionFailed:
        compensate_version(item, new_version)
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    except Exception:
        compensate_version(item, new_version)
        raise


def rate_limited(code: str, wait: int) -> DomainError:
    return DomainError(code=code, status=429, params={"seconds": wait}, headers={"Retry-After": str(wait)})
