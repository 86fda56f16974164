"""Entry point of the catalog function: routes only; the work is in logic.py."""

import json
from functools import cache
from importlib import resources
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from catalog import admin, ccf, logic
from catalog.access import require_ministry
from catalog.config import deps
from catalog.models import (
    NIT_PATTERN,
    SERVICE_ID_PATTERN,
    Assignment,
    AssignmentRequest,
    CatalogPage,
    Ccf,
    CcfActivationRequest,
    CcfPage,
    CcfServiceInfo,
    CcfServiceList,
    CcfStatePatch,
    ConsumerPassword,
    Health,
    Service,
    ServiceCreate,
    ServiceList,
    ServicePatch,
    Terms,
    TermsDecision,
    TermsDecisionRequest,
)
from sat_common import listing
from sat_common.api import (
    NO_STORE,
    create_resolver,
    json_response,
    lambda_entry,
    no_content,
    request_actor,
    request_caller,
)
from sat_common.auth import Caller
from sat_common.dynamo import aws_faults_as_unavailable
from sat_common.errors import FieldError, invalid
from sat_common.operator_groups import AUDITOR, CATALOG
from sat_common.settings import ApiSettings

settings = ApiSettings()  # type: ignore[call-arg]
app = create_resolver(settings)

CACHEABLE = {"Cache-Control": "public, max-age=3600"}
CATALOG_QUERY = {"department"}


@app.get("/health", summary="Estado del servicio", tags=["Plataforma"])
def health() -> Health:
    return Health(status="ok", service=settings.powertools_service_name, stage=settings.stage)


@app.get("/catalogs/<catalog>", summary="Catálogo de referencia", tags=["Catálogos"])
def get_catalog(
    catalog: Annotated[str, Path(max_length=40, description="Nombre del catálogo, p. ej. departments")],
    department: Annotated[
        str | None, Query(pattern=r"^\d{2}$", description="Código DIVIPOLA del departamento (solo municipalities)")
    ] = None,
) -> Response[CatalogPage]:
    unknown = set(app.current_event.query_string_parameters or {}) - CATALOG_QUERY
    if unknown:
        raise invalid([FieldError(name[:40], "unknown_query_parameter") for name in sorted(unknown)])
    page = CatalogPage.model_validate(logic.catalog_page(catalog, department))
    return json_response(page, headers=CACHEABLE)


@app.get("/openapi.json", summary="Documento OpenAPI 3.1 de esta API", tags=["Plataforma"], include_in_schema=True)
def openapi_document() -> Response[dict[str, Any]]:
    return json_response(_openapi(), headers=CACHEABLE)


@app.get("/docs", summary="Swagger UI de esta API", tags=["Plataforma"])
def docs(
    format: Annotated[str | None, Query(pattern="^json$", description="json: el documento en vez de la página")] = None,
) -> Response[Any]:
    if format == "json":  # Swagger UI's own download link points here
        return openapi_document()
    from sat_common.swagger import swagger_page  # 1.4 MB of inlined assets: only this route pays for them

    return Response(status_code=200, content_type="text/html; charset=utf-8", body=swagger_page(_openapi_text()))


# --------------------------------------------------------------------------- Ministry (manual §6 preconditions)
ADMIN = ["Ministerio"]
CCF_TAG = ["Administración de servicios web externos"]
Nit = Annotated[str, Path(pattern=NIT_PATTERN, description="NIT de la CCF (9 dígitos, sin dígito de verificación)")]
ServiceId = Annotated[str, Path(pattern=SERVICE_ID_PATTERN, description="Id del servicio, p. ej. solicitud-afiliacion")]


def _ministry(*admitted: str) -> Caller:
    """The operator, if `ministerio` or one of the `admitted` groups (the same as the route's `admits`)."""
    caller = request_caller(app)
    require_ministry(caller, *admitted)
    return caller


@app.post(
    "/admin/ccfs",
    summary="Activar el rol CCF de una empresa registrada",
    tags=ADMIN,
    responses={201: {"description": "Rol CCF activado"}},
)
def activate_ccf(request: Annotated[CcfActivationRequest, Body()]) -> Response[Ccf]:
    caller = _ministry(CATALOG)
    with aws_faults_as_unavailable():
        return json_response(
            Ccf.model_validate(admin.activate_ccf(deps(), request.nit, request_actor(app, caller))), 201
        )


@app.get("/admin/ccfs", summary="CCF activadas (paginado)", tags=ADMIN)
def list_ccfs(
    limit: Annotated[int, Query(ge=1, le=100, description="Tamaño de página")] = 50,
    nextToken: Annotated[str | None, Query(max_length=1024, description="Página siguiente")] = None,
) -> Response[CcfPage]:
    _ministry(CATALOG, AUDITOR)
    listing.reject_unknown_query(app.current_event.raw_event, frozenset({"limit", "nextToken"}))
    with aws_faults_as_unavailable():
        return json_response(CcfPage.model_validate(admin.list_ccfs(deps(), limit, nextToken)))


@app.patch(
    "/admin/ccfs/<nit>",
    summary="Suspender o reactivar una CCF (con motivo)",
    description="SUSPENDED: sus Client ID no obtienen tokens, sus tokens dejan de valer en /sat en 60 s como "
    "máximo y sus autorizados ven la suspensión; nada se borra. ACTIVE la restablece tal como estaba.",
    tags=ADMIN,
)
def patch_ccf(nit: Nit, request: Annotated[CcfStatePatch, Body()]) -> Response[Ccf]:
    caller = _ministry(CATALOG)
    with aws_faults_as_unavailable():
        changed = admin.set_ccf_state(deps(), nit, request.state, request.reason, request_actor(app, caller))
    return json_response(Ccf.model_validate(changed))


@app.post(
    "/admin/services",
    summary="Crear un servicio del catálogo",
    tags=ADMIN,
    responses={201: {"description": "Servicio creado"}},
)
def create_service(request: Annotated[ServiceCreate, Body()]) -> Response[Service]:
    caller = _ministry(CATALOG)
    with aws_faults_as_unavailable():
        return json_response(
            Service.model_validate(admin.create_service(deps(), request, request_actor(app, caller))), 201
        )


@app.get("/admin/services", summary="Catálogo de servicios del Ministerio", tags=ADMIN)
def list_services() -> Response[ServiceList]:
    _ministry(CATALOG, AUDITOR)
    with aws_faults_as_unavailable():
        return json_response(ServiceList.model_validate(admin.list_services(deps())))


@app.patch("/admin/services/<serviceId>", summary="Modificar un servicio (incluido su estado)", tags=ADMIN)
def patch_service(serviceId: ServiceId, request: Annotated[ServicePatch, Body()]) -> Response[Service]:
    caller = _ministry(CATALOG)
    with aws_faults_as_unavailable():
        return json_response(
            Service.model_validate(admin.patch_service(deps(), serviceId, request, request_actor(app, caller)))
        )


@app.post(
    "/admin/ccfs/<nit>/services",
    summary="Asignar un servicio a una CCF (crea su Client ID)",
    tags=ADMIN,
    responses={201: {"description": "Servicio asignado, con su Client ID"}},
)
def assign_service(nit: Nit, request: Annotated[AssignmentRequest, Body()]) -> Response[Assignment]:
    caller = _ministry(CATALOG)
    with aws_faults_as_unavailable():
        return json_response(
            Assignment.model_validate(admin.assign(deps(), nit, request, request_actor(app, caller))), 201
        )


@app.delete(
    "/admin/ccfs/<nit>/services/<serviceId>",
    summary="Revocar la asignación de un servicio",
    tags=ADMIN,
    responses={204: {"description": "Asignación revocada; su Client ID ya no obtiene tokens"}},
)
def revoke_service(nit: Nit, serviceId: ServiceId) -> Response[None]:
    caller = _ministry(CATALOG)
    with aws_faults_as_unavailable():
        admin.revoke(deps(), nit, serviceId, request_actor(app, caller))
    return no_content()


# --------------------------------------------------------------------------- authorized person (manual §6)
@app.get("/ccfs/<nit>/terms", summary="Condiciones de uso y política de privacidad vigentes", tags=CCF_TAG)
def get_terms(nit: Nit) -> Response[Terms]:
    caller = request_caller(app)
    with aws_faults_as_unavailable():
        return json_response(Terms.model_validate(ccf.get_terms(deps(), caller, nit)))


@app.post("/ccfs/<nit>/terms", summary="Aceptar o declinar las condiciones (queda como evidencia)", tags=CCF_TAG)
def decide_terms(nit: Nit, request: Annotated[TermsDecisionRequest, Body()]) -> Response[TermsDecision]:
    caller = request_caller(app)
    with aws_faults_as_unavailable():
        result = ccf.decide_terms(deps(), caller, nit, request.version, request.decision, request_actor(app, caller))
    return json_response(TermsDecision.model_validate(result))


@app.get("/ccfs/<nit>/services", summary="Servicios asignados a la CCF", tags=CCF_TAG)
def ccf_services(nit: Nit) -> Response[CcfServiceList]:
    caller = request_caller(app)
    with aws_faults_as_unavailable():
        return json_response(CcfServiceList.model_validate(ccf.list_services(deps(), caller, nit)))


@app.get("/ccfs/<nit>/services/<serviceId>", summary="Información del servicio (Client ID, URLs)", tags=CCF_TAG)
def ccf_service(nit: Nit, serviceId: ServiceId) -> Response[CcfServiceInfo]:
    caller = request_caller(app)
    with aws_faults_as_unavailable():
        info = ccf.service_info(deps(), caller, nit, serviceId, _base_url())
    return json_response(CcfServiceInfo.model_validate(info))


@app.get("/ccfs/<nit>/services/<serviceId>/openapi.json", summary="Documento OpenAPI del servicio", tags=CCF_TAG)
def ccf_service_openapi(nit: Nit, serviceId: ServiceId) -> Response[dict[str, Any]]:
    caller = request_caller(app)
    with aws_faults_as_unavailable():
        return json_response(ccf.service_document(deps(), caller, nit, serviceId, _base_url()))


@app.get("/ccfs/<nit>/services/<serviceId>/docs", summary="Documentación del servicio (Swagger UI)", tags=CCF_TAG)
def ccf_service_docs(nit: Nit, serviceId: ServiceId) -> Response[Any]:
    caller = request_caller(app)
    with aws_faults_as_unavailable():
        document = ccf.service_document(deps(), caller, nit, serviceId, _base_url())
    from sat_common.swagger import swagger_page

    page = swagger_page(json.dumps(document, ensure_ascii=False))
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page, headers=NO_STORE)


@app.put(
    "/ccfs/<nit>/consumer-password",
    summary="Asignar la contraseña de consumo de los servicios",
    tags=CCF_TAG,
    responses={204: {"description": "Contraseña asignada"}},
)
def set_consumer_password(nit: Nit, request: Annotated[ConsumerPassword, Body()]) -> Response[None]:
    caller = request_caller(app)
    with aws_faults_as_unavailable():
        ccf.set_consumer_password(
            deps(),
            caller,
            nit,
            request.password,
            request.passwordConfirmation,
            request_actor(app, caller),
            immediate=request.immediate,
        )
    return no_content()


def _base_url() -> str:
    return deps().settings.public_api_base_url  # configured, never the request's Host (decision 0054)


@cache
def _openapi_text() -> str:
    return resources.files("catalog").joinpath("openapi.json").read_text(encoding="utf-8")


@cache
def _openapi() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_openapi_text())
    return document


lambda_handler = lambda_entry(app)
