"""The Ministry's catalog of services and their assignment to CCFs (each assignment is a Client ID)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from catalog import assignments, service_catalog
from catalog.config import deps
from catalog.models import Assignment, AssignmentRequest, Service, ServiceCreate, ServiceList, ServicePatch
from catalog.routes.params import ADMIN_TAG, Nit, ServiceId, ministry_caller
from sat_common.api import json_response, no_content, request_actor
from sat_common.operator_groups import AUDITOR, CATALOG

router = Router()


@router.post(
    "/admin/services",
    summary="Crear un servicio del catálogo",
    tags=ADMIN_TAG,
    responses={201: {"description": "Servicio creado"}},
)
def create_service(request: Annotated[ServiceCreate, Body()]) -> Response[Service]:
    caller = ministry_caller(router, CATALOG)
    created = service_catalog.create_service(deps(), request, request_actor(router, caller))
    return json_response(Service.model_validate(created), 201)


@router.get("/admin/services", summary="Catálogo de servicios del Ministerio", tags=ADMIN_TAG)
def list_services() -> Response[ServiceList]:
    ministry_caller(router, CATALOG, AUDITOR)
    return json_response(ServiceList.model_validate(service_catalog.list_services(deps())))


@router.patch("/admin/services/<serviceId>", summary="Modificar un servicio (incluido su estado)", tags=ADMIN_TAG)
def patch_service(serviceId: ServiceId, request: Annotated[ServicePatch, Body()]) -> Response[Service]:
    caller = ministry_caller(router, CATALOG)
    changed = service_catalog.patch_service(deps(), serviceId, request, request_actor(router, caller))
    return json_response(Service.model_validate(changed))


@router.post(
    "/admin/ccfs/<nit>/services",
    summary="Asignar un servicio a una CCF (crea su Client ID)",
    tags=ADMIN_TAG,
    responses={201: {"description": "Servicio asignado, con su Client ID"}},
)
def assign_service(nit: Nit, request: Annotated[AssignmentRequest, Body()]) -> Response[Assignment]:
    caller = ministry_caller(router, CATALOG)
    assigned = assignments.assign(deps(), nit, request, request_actor(router, caller))
    return json_response(Assignment.model_validate(assigned), 201)


@router.delete(
    "/admin/ccfs/<nit>/services/<serviceId>",
    summary="Revocar la asignación de un servicio",
    tags=ADMIN_TAG,
    responses={204: {"description": "Asignación revocada; su Client ID ya no obtiene tokens"}},
)
def revoke_service(nit: Nit, serviceId: ServiceId) -> Response[None]:
    caller = ministry_caller(router, CATALOG)
    assignments.revoke(deps(), nit, serviceId, request_actor(router, caller))
    return no_content()
