"""The CCF's catalog as its authorized persons see it (manual §6, Paso 4): the services assigned to it, each
service's Client ID and URLs, and its OpenAPI document with this deployment's URLs. Every read is one or two
DynamoDB calls (decision 0113)."""

import json
from typing import Any

from catalog import service_docs
from catalog.config import Deps
from catalog.terms_of_use import require_accepted
from sat_common import ccf_access
from sat_common.auth import Caller
from sat_common.errors import DomainError

LISTED_FIELDS = ("serviceId", "code", "name", "description", "operation", "state")


def list_services(deps: Deps, caller: Caller, nit: str) -> dict[str, Any]:
    catalog = deps.store.ccf_catalog(caller.username, nit)
    require_accepted(catalog.access)
    listed = [
        {key: service[key] for key in LISTED_FIELDS}
        for assignment in catalog.assignments
        if (service := catalog.services.get(assignment["serviceId"]))
    ]
    return {"nit": nit, "items": sorted(listed, key=lambda item: item["code"])}


def service_info(deps: Deps, caller: Caller, nit: str, service_id: str, base_url: str) -> dict[str, Any]:
    assignment, service = _assigned_service(deps, caller, nit, service_id)
    return {
        "serviceId": service_id,
        "name": service["name"],
        "description": service["description"],
        "clientId": assignment["clientId"],
        "state": service["state"],
        "tokenUrl": f"{base_url}/oauth2/token",
        "endpointUrl": f"{base_url}{service['endpointPath']}",
        "operation": service["operation"],
    }


def service_document(deps: Deps, caller: Caller, nit: str, service_id: str, base_url: str) -> dict[str, Any]:
    _, service = _assigned_service(deps, caller, nit, service_id)
    return service_docs.for_ccf(json.loads(service["openapi"]), base_url)


def _assigned_service(deps: Deps, caller: Caller, nit: str, service_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    found = deps.store.assigned_service(caller.username, nit, service_id)
    require_accepted(found.access)
    assignment, service = found.assignment, found.service
    if not assignment or assignment.get("status") != ccf_access.ACTIVE or not service:
        raise DomainError(code="SERVICE_NOT_FOUND", status=404, params={"serviceId": service_id})
    return assignment, service
