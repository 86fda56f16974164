"""The Ministry's side (manual §6 preconditions): activate CCFs, keep the service catalog, assign services."""

import json
from typing import Any

from catalog import service_docs
from catalog.config import Deps
from catalog.models import AssignmentRequest, ServiceCreate, ServicePatch
from sat_common import audit, aws, ccf_access, ccf_summary, clock
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, FieldError, invalid
from sat_common.items import decode_page_token, encode_page_token
from sat_common.observability import logger

REGISTERED = "REGISTERED"  # employer status written by the delegation area once the role is confirmed
CCFS_INDEX_PK = "CCFS"
SERVICES_INDEX_PK = "SERVICES"


def _now() -> str:
    return clock.now().isoformat(timespec="seconds")


def _audit(deps: Deps, entity: str, action: str, actor: Actor, details: dict[str, Any]) -> None:
    audit.record(deps.settings.audit_table_name, entity, action, actor, details)


# --------------------------------------------------------------------------- CCF activation
def activate_ccf(deps: Deps, nit: str, actor: Actor) -> dict[str, Any]:
    employer = deps.store.get(ccf_access.employer_key(nit))
    if employer is None:
        raise DomainError(code="EMPLOYER_NOT_FOUND", status=404, params={"nit": nit})
    if employer.get("status") != REGISTERED:
        raise DomainError(code="EMPLOYER_NOT_REGISTERED", status=409, params={"nit": nit})
    item = {
        **ccf_access.activation_key(nit),
        "nit": nit,
        "status": ccf_access.ACTIVE,
        "businessName": employer.get("businessName"),
        "activatedAt": _now(),
        "activatedBy": actor.subject,
        "GSI1PK": CCFS_INDEX_PK,
        "GSI1SK": nit,
        # the summaries GET /admin/ccfs lists (decision 0093); the share and notifications areas keep theirs
        "servicesAssigned": 0,
        "sharedServices": {"total": 0, "notification": None},
    }
    try:
        deps.store.put(item, "attribute_not_exists(PK)")
    except ConditionFailed:
        raise DomainError(code="CCF_ALREADY_ACTIVE", status=409, params={"nit": nit}) from None
    _audit(deps, f"CCF#{nit}", "CCF_ACTIVATED", actor, {"nit": nit})
    return _ccf(item)


def set_ccf_state(deps: Deps, nit: str, state: str, reason: str, actor: Actor) -> dict[str, Any]:
    """Suspend or reactivate a CCF (decision 0093). Only the activation item changes: assignments, Client IDs,
    the consumer password, authorizations and trámites stay as they are, so reactivating restores everything.
    The token endpoint, the /sat authorizer and the /ccfs/{nit} routes read this status on every request."""
    now = _now()
    try:
        item = deps.store.update(
            ccf_access.activation_key(nit),
            "SET #status = :state, stateReason = :reason, stateSince = :now, stateBy = :by",
            "attribute_exists(PK) AND #status <> :state",
            names={"#status": "status"},
            values={":state": state, ":reason": reason, ":now": now, ":by": actor.subject},
        )
    except ConditionFailed:
        if deps.store.get(ccf_access.activation_key(nit)) is None:
            raise DomainError(code="CCF_NOT_FOUND", status=404, params={"nit": nit}) from None
        raise DomainError(code="CCF_STATE_UNCHANGED", status=409, params={"nit": nit, "state": state}) from None
    action = "CCF_SUSPENDED" if state == ccf_summary.SUSPENDED else "CCF_REACTIVATED"
    _audit(deps, f"CCF#{nit}", action, actor, {"nit": nit, "reason": reason})
    return _ccf(item)


def list_ccfs(deps: Deps, limit: int, next_token: str | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :pk",
        "ExpressionAttributeValues": {":pk": CCFS_INDEX_PK},
        "Limit": limit,
    }
    if next_token:
        kwargs["ExclusiveStartKey"] = decode_page_token(
            next_token, ("PK", "SK", "GSI1PK", "GSI1SK"), accept=lambda key: key["GSI1PK"] == CCFS_INDEX_PK
        )
    items, last = deps.store.query(**kwargs)
    return {"items": [_ccf(item) for item in items], "nextToken": encode_page_token(last) if last else None}


def _ccf(item: dict[str, Any]) -> dict[str, Any]:
    keys = (
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
    return {key: item.get(key) for key in keys}


# --------------------------------------------------------------------------- service catalog
def service_id_of(code: str) -> str:
    return code.lower().replace("_", "-")


def create_service(deps: Deps, data: ServiceCreate, actor: Actor) -> dict[str, Any]:
    path = service_docs.validate(data.openapi, data.operation)
    now = _now()
    service_id = service_id_of(data.code)
    item = {
        **ccf_access.service_key(service_id),
        "serviceId": service_id,
        "code": data.code,
        "name": data.name,
        "description": data.description,
        "operation": data.operation,
        "endpointPath": path,
        "openapi": json.dumps(data.openapi, ensure_ascii=False),
        "state": data.state,
        "createdAt": now,
        "updatedAt": now,
        "GSI1PK": SERVICES_INDEX_PK,
        "GSI1SK": data.code,
    }
    try:
        deps.store.put(item, "attribute_not_exists(PK)")
    except ConditionFailed:
        raise DomainError(code="SERVICE_CODE_TAKEN", status=409, params={"code": data.code}) from None
    _audit(deps, f"SERVICE#{service_id}", "SERVICE_CREATED", actor, {"code": data.code, "state": data.state})
    return service_view(item)


def list_services(deps: Deps) -> dict[str, Any]:
    items = deps.store.query_all(
        IndexName="GSI1", KeyConditionExpression="GSI1PK = :pk", ExpressionAttributeValues={":pk": SERVICES_INDEX_PK}
    )
    return {"items": [service_view(item) for item in items]}


def get_service(deps: Deps, service_id: str) -> dict[str, Any]:
    item = deps.store.get(ccf_access.service_key(service_id))
    if item is None:
        raise DomainError(code="SERVICE_NOT_FOUND", status=404, params={"serviceId": service_id})
    return item


def patch_service(deps: Deps, service_id: str, data: ServicePatch, actor: Actor) -> dict[str, Any]:
    current = get_service(deps, service_id)
    changes = data.model_dump(exclude_none=True)
    if not changes:
        raise invalid([FieldError("body", "empty_patch")])
    operation = changes.get("operation", current["operation"])
    if "openapi" in changes or "operation" in changes:
        document = changes.get("openapi") or json.loads(current["openapi"])
        changes["endpointPath"] = service_docs.validate(document, operation)
        changes["openapi"] = json.dumps(document, ensure_ascii=False)
    changes["updatedAt"] = _now()
    names = {f"#{key}": key for key in changes}
    values = {f":{key}": value for key, value in changes.items()}
    expression = "SET " + ", ".join(f"#{key} = :{key}" for key in changes)
    updated = deps.store.update(
        ccf_access.service_key(service_id),
        expression,
        "attribute_exists(PK)",
        names=names,
        values=values,
    )
    fields = sorted(key for key in changes if key not in ("updatedAt", "endpointPath"))
    _audit(deps, f"SERVICE#{service_id}", "SERVICE_UPDATED", actor, {"fields": fields, "state": updated["state"]})
    return service_view(updated)


def service_view(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("serviceId", "code", "name", "description", "operation", "endpointPath", "state", "createdAt", "updatedAt")
    return {key: item[key] for key in keys}


# --------------------------------------------------------------------------- assignments
def assign(deps: Deps, nit: str, data: AssignmentRequest, actor: Actor) -> dict[str, Any]:
    activation = deps.store.get(ccf_access.activation_key(nit))
    if not activation or activation.get("status") != ccf_access.ACTIVE:
        raise DomainError(code="CCF_NOT_ACTIVE", status=404, params={"nit": nit})
    service = get_service(deps, data.serviceId)
    if service["state"] != ccf_access.ACTIVE:
        raise DomainError(code="SERVICE_INACTIVE", status=409, params={"serviceId": data.serviceId})
    existing = deps.store.get(ccf_access.assignment_key(nit, data.serviceId))
    if existing and existing.get("status") == ccf_access.ACTIVE:
        raise _already_assigned(nit, data.serviceId)
    idp = aws.client("cognito-idp")
    client = idp.create_user_pool_client(
        UserPoolId=deps.settings.clients_user_pool_id,
        ClientName=f"ccf-{nit}-{data.serviceId}"[:128],
        GenerateSecret=False,
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
    )["UserPoolClient"]
    client_id = client["ClientId"]
    now = _now()
    assignment = {
        **ccf_access.assignment_key(nit, data.serviceId),
        "nit": nit,
        "serviceId": data.serviceId,
        "clientId": client_id,
        "status": ccf_access.ACTIVE,
        "assignedAt": now,
        "assignedBy": actor.subject,
    }
    lookup = {**ccf_access.client_key(client_id), "nit": nit, "serviceId": data.serviceId, "createdAt": now}
    try:
        deps.store.tx().put(
            assignment,
            "attribute_not_exists(PK) OR #status = :revoked",
            names={"#status": "status"},
            values={":revoked": ccf_access.REVOKED},
        ).put(lookup, "attribute_not_exists(PK)").update(
            ccf_access.activation_key(nit),  # the list's count (decision 0093), with the assignment or not at all
            "ADD servicesAssigned :one",
            "attribute_exists(PK)",
            values={":one": 1},
        ).commit()
    except ConditionFailed:
        _delete_client(deps, client_id)  # a concurrent assignment won: leave no orphan client
        raise _already_assigned(nit, data.serviceId) from None
    _audit(deps, f"CCF#{nit}", "SERVICE_ASSIGNED", actor, {"serviceId": data.serviceId, "clientId": client_id})
    return {key: assignment[key] for key in ("nit", "serviceId", "clientId", "status", "assignedAt")}


def revoke(deps: Deps, nit: str, service_id: str, actor: Actor) -> None:
    not_found = DomainError(code="ASSIGNMENT_NOT_FOUND", status=404, params={"nit": nit, "serviceId": service_id})
    item = deps.store.get(ccf_access.assignment_key(nit, service_id))
    if not item or item.get("status") != ccf_access.ACTIVE:
        raise not_found
    try:
        deps.store.tx().update(
            ccf_access.assignment_key(nit, service_id),
            "SET #status = :revoked, revokedAt = :now, revokedBy = :by",
            "#status = :active AND clientId = :client",
            names={"#status": "status"},
            values={
                ":revoked": ccf_access.REVOKED,
                ":active": ccf_access.ACTIVE,
                ":now": _now(),
                ":by": actor.subject,
                ":client": item["clientId"],
            },
        ).update(
            ccf_access.activation_key(nit),  # the list's count (decision 0093)
            "ADD servicesAssigned :minus",
            "attribute_exists(PK)",
            values={":minus": -1},
        ).commit()
    except ConditionFailed:
        raise not_found from None
    _delete_client(deps, item["clientId"])
    _audit(deps, f"CCF#{nit}", "SERVICE_REVOKED", actor, {"serviceId": service_id, "clientId": item["clientId"]})


def _already_assigned(nit: str, service_id: str) -> DomainError:
    return DomainError(code="SERVICE_ALREADY_ASSIGNED", status=409, params={"nit": nit, "serviceId": service_id})


def _delete_client(deps: Deps, client_id: str) -> None:
    """Best effort: the token endpoint already refuses a revoked assignment whatever Cognito says."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        aws.client("cognito-idp").delete_user_pool_client(
            UserPoolId=deps.settings.clients_user_pool_id, ClientId=client_id
        )
    except (ClientError, BotoCoreError) as error:
        logger.warning("could not delete app client", extra={"errorType": type(error).__name__})
