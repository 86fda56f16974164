"""Entry point of the exchange function: routes only. The rules: ministry_tramites.py (filing, redrive),
tramite_lists.py (the Ministry's lists), ccf_deliveries.py (the CCF's own trámites), sat_services.py (the /sat
services of CCF systems); their items: repository.py.

/admin/tramites*: the Ministry (`ministerio` and the groups each route admits, decision 0090). /sat/*: CCF
systems through the Lambda TOKEN authorizer (requestContext.authorizer: ccfNit, serviceId, clientId).
/.well-known/jwks.json: anyone.
"""

from dataclasses import replace
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from exchange import ccf_deliveries, ministry_tramites, sat_services, tramite_lists
from exchange.config import settings
from exchange.models import (
    NIT_PATTERN,
    NUMERO_PATTERN,
    CcfTramiteState,
    ListState,
    ListType,
    RedeliveryAccepted,
    SatPullRequest,
    SatRespuesta,
    SatRespuestaAck,
    SatTraslado,
    SatTrasladoAck,
    TramiteBulkRedrive,
    TramiteBulkRedriveResult,
    TramiteCreate,
    TramitePage,
    TramiteView,
)
from sat_common import ministry, notification_signing
from sat_common.api import NO_STORE, create_resolver, json_response, lambda_entry, request_actor, request_caller
from sat_common.audit import Actor
from sat_common.errors import DomainError
from sat_common.listing import reject_unknown_query
from sat_common.operator_groups import AUDITOR, EXCHANGE

app = create_resolver()

ADMIN_TAG = ["Trámites (Ministerio)"]
SAT_TAG = ["SAT (sistemas CCF)"]
NumeroPath = Annotated[str, Path(pattern=NUMERO_PATTERN, description="Número de transacción")]


def _ministry(*admitted: str) -> Actor:
    """The operator, if `ministerio` or one of the `admitted` groups (the same as the route's `admits`, 0090)."""
    caller = request_caller(app)
    ministry.require_operator(caller, *admitted)  # live group, account state and TOTP (decision 0029)
    return request_actor(app, caller)


def _system() -> tuple[sat_services.System, Actor]:
    context = (app.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    if not context.get("ccfNit") or not context.get("serviceId"):
        raise DomainError(code="UNAUTHENTICATED", status=401)
    system = sat_services.System(
        nit=str(context["ccfNit"]), service_id=str(context["serviceId"]), client_id=str(context.get("clientId", ""))
    )
    return system, replace(request_actor(app), subject=f"client:{system.client_id[:128]}")


def _base_url() -> str:
    return settings().public_api_base_url  # configured, never the request's Host (decision 0054)


def _acknowledged(body: Any, replayed: bool) -> Response[Any]:
    """An idempotent /sat answer: a replay says so (Idempotent-Replayed: true)."""
    return json_response(body, headers={**NO_STORE, "Idempotent-Replayed": "true"} if replayed else NO_STORE)


# --------------------------------------------------------------------------- Ministry
@app.post(
    "/admin/tramites",
    summary="Radicar un trámite de afiliación para una CCF (inicia la notificación firmada)",
    description="201 con el trámite en estado PENDIENTE; la CCF recibe la notificación en su servicio compartido "
    "de notificaciones. 409 si el número de transacción ya existe; 422 con cada campo inválido.",
    tags=ADMIN_TAG,
    responses={201: {"description": "Trámite radicado"}},
)
def file_tramite(request: Annotated[TramiteCreate, Body()]) -> Response[TramiteView]:
    actor = _ministry(EXCHANGE)
    body = ministry_tramites.file_tramite(settings(), request, _base_url(), actor)
    return json_response(TramiteView.model_validate(body).model_dump(mode="json"), 201)


@app.get(
    "/admin/tramites",
    summary="Trámites y traslados por estado o por CCF (paginado, más recientes primero)",
    description="Al menos uno de state o ccfNit. from/to acotan la fecha de creación (ISO 8601, máximo un año). "
    "Una página puede traer menos de limit elementos cuando un filtro descarta algunos; nextPageToken continúa. "
    "Índices y filtros: docs/backoffice.md y la decisión 0094.",
    tags=ADMIN_TAG,
)
def list_tramites(
    state: Annotated[ListState | None, Query(description="Estado del trámite o del traslado")] = None,
    ccfNit: Annotated[str | None, Query(pattern=NIT_PATTERN, description="NIT de la CCF (sin DV)")] = None,
    type: Annotated[ListType | None, Query(description="TRAMITE o TRASLADO")] = None,
    from_: Annotated[str | None, Query(alias="from", max_length=40, description="Desde (ISO 8601)")] = None,
    to: Annotated[str | None, Query(max_length=40, description="Hasta (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Tamaño de página")] = 25,
    pageToken: Annotated[str | None, Query(min_length=1, max_length=2048, description="nextPageToken")] = None,
) -> Response[TramitePage]:
    _ministry(EXCHANGE, AUDITOR)
    reject_unknown_query(app.current_event.raw_event, tramite_lists.QUERY_PARAMETERS)
    selected = tramite_lists.filters(state, ccfNit, type, from_, to)
    body = tramite_lists.list_page(settings(), selected, limit, pageToken)
    return json_response(TramitePage.model_validate(body).model_dump(mode="json"))


@app.post(
    "/admin/tramites/redrive",
    summary="Reenviar los trámites FALLIDA de una CCF (hasta 25 por llamada)",
    description="202 con count; remaining true indica que puede haber más: llame de nuevo. Un trámite ya "
    "reenviado que no ha vuelto a fallar no se reenvía otra vez.",
    tags=ADMIN_TAG,
    responses={202: {"description": "Trámites FALLIDA de nuevo en PENDIENTE (hasta 25); `remaining` si quedan más"}},
)
def redrive_failed(request: Annotated[TramiteBulkRedrive, Body()]) -> Response[TramiteBulkRedriveResult]:
    actor = _ministry(EXCHANGE)
    body = tramite_lists.redrive_failed(settings(), request.ccfNit, actor)
    return json_response(TramiteBulkRedriveResult.model_validate(body).model_dump(mode="json"), 202)


@app.get(
    "/admin/tramites/<numeroTransaccion>",
    summary="Estado del trámite: intentos de entrega, acuse de la CCF y respuesta",
    tags=ADMIN_TAG,
)
def get_tramite(numeroTransaccion: NumeroPath) -> Response[TramiteView]:
    _ministry(EXCHANGE, AUDITOR)
    body = ministry_tramites.get_tramite(settings(), numeroTransaccion)
    return json_response(TramiteView.model_validate(body).model_dump(mode="json"))


@app.post(
    "/admin/tramites/<numeroTransaccion>/redrive",
    summary="Reenviar la notificación de un trámite FALLIDA",
    description="El trámite vuelve a PENDIENTE y la notificación se reintenta con la misma Idempotency-Key. "
    "409 si el trámite no está FALLIDA.",
    tags=ADMIN_TAG,
    responses={202: {"description": "Trámite de nuevo en PENDIENTE; la notificación se reintenta"}},
)
def redrive(numeroTransaccion: NumeroPath) -> Response[TramiteView]:
    actor = _ministry(EXCHANGE)
    body = ministry_tramites.redrive(settings(), numeroTransaccion, actor)
    return json_response(TramiteView.model_validate(body).model_dump(mode="json"), 202)


# --------------------------------------------------------------------------- the CCF's authorized persons (0107)
CCF_TAG = ["Trámites y entregas (CCF)"]
NitPath = Annotated[str, Path(pattern=NIT_PATTERN, description="NIT de la CCF (9 dígitos, sin dígito de verificación)")]


def _person(nit: str) -> Actor:
    """An authorized person of CCF <nit> with the current terms accepted (sat_common.ccf_person_access)."""
    caller = request_caller(app)
    ccf_deliveries.authorize(settings(), caller, nit)
    return request_actor(app, caller)


@app.get(
    "/ccfs/<nit>/tramites",
    summary="Trámites de la CCF con su estado, intentos de entrega y último resultado (paginado)",
    description="Más recientes primero. from/to acotan la fecha de creación (ISO 8601, máximo un año). Una "
    "página puede traer menos de limit elementos cuando el filtro de estado descarta algunos; nextPageToken "
    "continúa con los mismos filtros.",
    tags=CCF_TAG,
)
def list_ccf_tramites(
    nit: NitPath,
    state: Annotated[CcfTramiteState | None, Query(description="Estado del trámite")] = None,
    from_: Annotated[str | None, Query(alias="from", max_length=40, description="Desde (ISO 8601)")] = None,
    to: Annotated[str | None, Query(max_length=40, description="Hasta (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Tamaño de página")] = 25,
    pageToken: Annotated[str | None, Query(min_length=1, max_length=2048, description="nextPageToken")] = None,
) -> Response[TramitePage]:
    _person(nit)
    reject_unknown_query(app.current_event.raw_event, ccf_deliveries.QUERY_PARAMETERS)
    body = ccf_deliveries.list_page(settings(), nit, state, from_, to, limit, pageToken)
    return json_response(TramitePage.model_validate(body).model_dump(mode="json"))


@app.get(
    "/ccfs/<nit>/tramites/<numeroTransaccion>",
    summary="Un trámite de la CCF: cada intento de entrega, cada consulta y el acuse de su respuesta",
    description="404 si el trámite no es de esta CCF.",
    tags=CCF_TAG,
)
def get_ccf_tramite(nit: NitPath, numeroTransaccion: NumeroPath) -> Response[TramiteView]:
    _person(nit)
    body = ccf_deliveries.detail(settings(), nit, numeroTransaccion)
    return json_response(TramiteView.model_validate(body).model_dump(mode="json"))


@app.post(
    "/ccfs/<nit>/tramites/<numeroTransaccion>/redelivery",
    summary="Entregar de nuevo la notificación de un trámite",
    description="202: la notificación se entrega de nuevo con la misma Idempotency-Key (un trámite ya "
    "notificado se reenvía una vez; uno pendiente o fallido reinicia sus reintentos). 409 si el trámite ya fue "
    "respondido; 429 REDELIVERY_RATE_LIMITED con Retry-After (una por trámite cada 5 minutos, 20 por CCF por "
    "hora).",
    tags=CCF_TAG,
    responses={202: {"description": "Entrega solicitada"}},
)
def redeliver(nit: NitPath, numeroTransaccion: NumeroPath) -> Response[RedeliveryAccepted]:
    actor = _person(nit)
    body = ccf_deliveries.redeliver(settings(), nit, numeroTransaccion, actor)
    return json_response(RedeliveryAccepted.model_validate(body).model_dump(mode="json"), 202)


# --------------------------------------------------------------------------- CCF systems
@app.post(
    "/sat/solicitud-afiliacion",
    summary="SERVICIO SOLICITUD AFILIACION: la solicitud completa de una transacción de la CCF",
    description="La respuesta es un JWE compacto (`application/jose`; RSA-OAEP-256 o ECDH-ES+A256KW con A256GCM) "
    "cifrado con la llave pública del servicio compartido de notificaciones ACTIVO de la CCF, cuyo contenido es el "
    "JSON de la solicitud; nunca en claro: 409 CCF_KEY_NOT_ACTIVE mientras la CCF no tenga una llave activa. "
    "404 si la transacción no es de esta CCF.",
    tags=SAT_TAG,
)
def pull(request: Annotated[SatPullRequest, Body()]) -> Response[Any]:
    system, actor = _system()
    content_type, body = sat_services.pull(settings(), system, request, actor)
    return Response(status_code=200, content_type=content_type, body=body, headers=NO_STORE)


@app.post(
    "/sat/respuesta-tramite-ccf",
    summary="Respuesta TramiteCCF: la respuesta de la CCF a un trámite (una sola vez)",
    description="Idempotente por NumeroTransaccion: la misma respuesta repetida devuelve el mismo acuse "
    "(cabecera Idempotent-Replayed: true); una respuesta distinta a un trámite ya respondido es 409.",
    tags=SAT_TAG,
)
def answer(request: Annotated[SatRespuesta, Body()]) -> Response[SatRespuestaAck]:
    system, actor = _system()
    ack, replayed = sat_services.answer(settings(), system, request, actor)
    return _acknowledged(SatRespuestaAck.model_validate(ack).model_dump(mode="json"), replayed)


@app.post(
    "/sat/recepcion-traslado-caja",
    summary="RECEPCION TRASLADO CAJA: solicitud de traslado de un empleador entre cajas",
    description="La CCF que envía debe ser la caja de origen o la de destino, y ambas deben estar activas. "
    "Idempotente por NumeroTransaccion; otra solicitud con el mismo número es 409.",
    tags=SAT_TAG,
)
def transfer(request: Annotated[SatTraslado, Body()]) -> Response[SatTrasladoAck]:
    system, actor = _system()
    ack, replayed = sat_services.transfer(settings(), system, request, actor)
    return _acknowledged(SatTrasladoAck.model_validate(ack).model_dump(mode="json"), replayed)


@app.get(
    "/.well-known/jwks.json",
    summary="Llaves públicas del Ministerio para verificar las notificaciones firmadas (JWKS, RFC 7517)",
    tags=["Plataforma"],
)
def jwks() -> Response[dict[str, Any]]:
    config = settings()
    # current, next and previous (decision 0104): a receiver knows a key before it signs and after it stops
    body = notification_signing.jwks(
        [
            config.notification_signing_key_id,
            config.notification_signing_next_key_id,
            config.notification_signing_previous_key_id,
        ]
    )
    return json_response(body, headers={"Cache-Control": "public, max-age=300"})  # public keys: cacheable


lambda_handler = lambda_entry(app)
