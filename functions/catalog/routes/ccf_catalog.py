"""The CCF's catalog for its authorized persons (manual §6, Paso 4): its services, each one's Client ID and URLs,
its OpenAPI document and Swagger UI; and the consumer password of those services."""

import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from catalog import ccf_services as assigned_services
from catalog import consumer_password
from catalog.config import deps
from catalog.models import CcfServiceInfo, CcfServiceList, ConsumerPassword
from catalog.routes.params import CCF_TAG, Nit, ServiceId, base_url
from sat_common.api import NO_STORE, json_response, no_content, request_actor, request_caller

router = Router()


@router.get("/ccfs/<nit>/services", summary="Servicios asignados a la CCF", tags=CCF_TAG)
def ccf_services(nit: Nit) -> Response[CcfServiceList]:
    caller = request_caller(router)
    return json_response(CcfServiceList.model_validate(assigned_services.list_services(deps(), caller, nit)))


@router.get("/ccfs/<nit>/services/<serviceId>", summary="Información del servicio (Client ID, URLs)", tags=CCF_TAG)
def ccf_service(nit: Nit, serviceId: ServiceId) -> Response[CcfServiceInfo]:
    caller = request_caller(router)
    info = assigned_services.service_info(deps(), caller, nit, serviceId, base_url())
    return json_response(CcfServiceInfo.model_validate(info))


@router.get("/ccfs/<nit>/services/<serviceId>/openapi.json", summary="Documento OpenAPI del servicio", tags=CCF_TAG)
def ccf_service_openapi(nit: Nit, serviceId: ServiceId) -> Response[dict[str, Any]]:
    caller = request_caller(router)
    return json_response(assigned_services.service_document(deps(), caller, nit, serviceId, base_url()))


@router.get("/ccfs/<nit>/services/<serviceId>/docs", summary="Documentación del servicio (Swagger UI)", tags=CCF_TAG)
def ccf_service_docs(nit: Nit, serviceId: ServiceId) -> Response[Any]:
    caller = request_caller(router)
    document = assigned_services.service_document(deps(), caller, nit, serviceId, base_url())
    from sat_common.swagger import swagger_page

    page = swagger_page(json.dumps(document, ensure_ascii=False))
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page, headers=NO_STORE)


@router.put(
    "/ccfs/<nit>/consumer-password",
    summary="Asignar la contraseña de consumo de los servicios",
    tags=CCF_TAG,
    responses={204: {"description": "Contraseña asignada"}},
)
def set_consumer_password(nit: Nit, request: Annotated[ConsumerPassword, Body()]) -> Response[None]:
    caller = request_caller(router)
    consumer_password.set_consumer_password(
        deps(),
        caller,
        nit,
        request.password,
        request.passwordConfirmation,
        request_actor(router, caller),
        immediate=request.immediate,
    )
    return no_content()
