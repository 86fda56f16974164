"""The Ministry activates a registered company's CCF role (manual §6, preconditions), lists the CCFs with their
summary and suspends or reactivates one (decision 0093)."""

from typing import Any

from catalog.config import Deps
from sat_common import audit, ccf_access, ccf_summary, clock, keys
from sat_common.audit import Actor
from sat_common.errors import DomainError

REGISTERED = "REGISTERED"  # employer status written by the delegation area once the role is confirmed
CCF_FIELDS = (
    "nit",
    "businessName",
    "status",
    "activatedAt",
    "activatedBy",
    "stateReason",
    "stateSince",
    "stateBy",
    "servicesAssigned",
    "sharedServices",
    "lastDelivery",
)


def activate_ccf(deps: Deps, nit: str, actor: Actor) -> dict[str, Any]:
    employer = deps.store.employer(nit)
    if employer is None:
        raise DomainError(code="EMPLOYER_NOT_FOUND", status=404, params={"nit": nit})
    if employer.get("status") != REGISTERED:
        raise DomainError(code="EMPLOYER_NOT_REGISTERED", status=409, params={"nit": nit})
    item = {
        **ccf_access.activation_key(nit),
        "nit": nit,
        "status": ccf_access.ACTIVE,
        "businessName": employer.get("businessName"),
        "activatedAt": clock.stamp(),
        "activatedBy": actor.subject,
        "GSI1PK": keys.CCFS,
        "GSI1SK": nit,
        # the summaries GET /admin/ccfs lists (decision 0093); the share and notifications areas keep theirs
        "servicesAssigned": 0,
        "sharedServices": {"total": 0, "notification": None},
    }
    if not deps.store.activate_ccf(item):
        raise DomainError(code="CCF_ALREADY_ACTIVE", status=409, params={"nit": nit})
    audit.record(deps.settings.audit_table_name, keys.ccf(nit), "CCF_ACTIVATED", actor, {"nit": nit})
    return ccf_view(item)


def set_ccf_state(deps: Deps, nit: str, state: str, reason: str, actor: Actor) -> dict[str, Any]:
    """Suspend or reactivate a CCF (decision 0093). Only the activation item changes: assignments, Client IDs,
    the consumer password, authorizations and trámites stay as they are, so reactivating restores everything.
    The token endpoint, the /sat authorizer and the /ccfs/{nit} routes read this status on every request."""
    item = deps.store.change_ccf_state(nit, state, reason, clock.stamp(), actor.subject)
    if item is None:
        if deps.store.activation(nit) is None:
            raise DomainError(code="CCF_NOT_FOUND", status=404, params={"nit": nit})
        raise DomainError(code="CCF_STATE_UNCHANGED", status=409, params={"nit": nit, "state": state})
    action = "CCF_SUSPENDED" if state == ccf_summary.SUSPENDED else "CCF_REACTIVATED"
    audit.record(deps.settings.audit_table_name, keys.ccf(nit), action, actor, {"nit": nit, "reason": reason})
    return ccf_view(item)


def list_ccfs(deps: Deps, limit: int, next_token: str | None) -> dict[str, Any]:
    items, token = deps.store.ccfs_page(limit, next_token)
    return {"items": [ccf_view(item) for item in items], "nextToken": token}


def ccf_view(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item.get(key) for key in CCF_FIELDS}
