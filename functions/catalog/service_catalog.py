"""The Ministry's catalog of services (manual §6, preconditions): create, list and change a service, its
OpenAPI document validated on the way in (catalog.service_docs)."""

import json
from typing import Any

from catalog import service_docs
from catalog.config import Deps
from catalog.models import ServiceCreate, ServicePatch
from sat_common import audit, ccf_access, clock, keys
from sat_common.audit import Actor
from sat_common.errors import DomainError, FieldError, invalid

SERVICE_FIELDS = (
    "serviceId",
    "code",
    "name",
    "description",
    "operation",
    "endpointPath",
    "state",
    "createdAt",
    "updatedAt",
)


def service_id_of(code: str) -> str:
    return code.lower().replace("_", "-")


def create_service(deps: Deps, data: ServiceCreate, actor: Actor) -> dict[str, Any]:
    path = service_docs.validate(data.openapi, data.operation)
    now = clock.stamp()
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
        "GSI1PK": keys.SERVICES,
        "GSI1SK": data.code,
    }
    if not deps.store.create_service(item):
        raise DomainError(code="SERVICE_CODE_TAKEN", status=409, params={"code": data.code})
    details = {"code": data.code, "state": data.state}
    audit.record(deps.settings.audit_table_name, keys.service(service_id), "SERVICE_CREATED", actor, details)
    return service_view(item)


def list_services(deps: Deps) -> dict[str, Any]:
    return {"items": [service_view(item) for item in deps.store.services()]}


def get_service(deps: Deps, service_id: str) -> dict[str, Any]:
    item = deps.store.service(service_id)
    if item is None:
        raise _not_found(service_id)
    return item


def patch_service(deps: Deps, service_id: str, data: ServicePatch, actor: Actor) -> dict[str, Any]:
    """Change a service. CCFs see the change on their next read: their catalog reads the service item itself,
    never a copy (decision 0113)."""
    current = get_service(deps, service_id)
    changes = data.model_dump(exclude_none=True)
    if not changes:
        raise invalid([FieldError("body", "empty_patch")])
    operation = changes.get("operation", current["operation"])
    if "openapi" in changes or "operation" in changes:
        document = changes.get("openapi") or json.loads(current["openapi"])
        changes["endpointPath"] = service_docs.validate(document, operation)
        changes["openapi"] = json.dumps(document, ensure_ascii=False)
    changes["updatedAt"] = clock.stamp()
    updated = deps.store.update_service(service_id, changes)
    if updated is None:
        raise _not_found(service_id)
    fields = sorted(key for key in changes if key not in ("updatedAt", "endpointPath"))
    details = {"fields": fields, "state": updated["state"]}
    audit.record(deps.settings.audit_table_name, keys.service(service_id), "SERVICE_UPDATED", actor, details)
    return service_view(updated)


def service_view(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in SERVICE_FIELDS}


def _not_found(service_id: str) -> DomainError:
    return DomainError(code="SERVICE_NOT_FOUND", status=404, params={"serviceId": service_id})
