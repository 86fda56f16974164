"""Entry point of the exchange function: routes only; the rules are in tramites.py.

/admin/tramites*: the Ministry (Cognito group `ministerio`). /sat/*: CCF systems through the Lambda TOKEN
authorizer (requestContext.authorizer: ccfNit, serviceId, clientId). /.well-known/jwks.json: anyone.
"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from exchange import tramites
from exchange.config import settings
from exchange.models import (
    NUMERO_PATTERN,
    SatPullRequest,
    SatRespuesta,
    SatRespuestaAck,
    SatTraslado,
    SatTrasladoAck,
    TramiteCreate,
    TramiteView,
)
from sat_common import ministry
from sat_common import tramites as tramite_keys
from sat_common.api import create_resolver, lambda_entry
from sat_common.audit import Actor
from sat_common.auth import actor_from_event, caller_from_event
from sat_common.dynamo import aws_faults_as_unavailable
from sat_common.errors import DomainError

app = create_resolver()

ADMIN_TAG = ["Trámites (Ministerio)"]
SAT_TAG = ["SAT (sistemas CCF)"]
NO_STORE = {"Cache-Control": "no-store"}
NumeroPath = Annotated[str, Path(pattern=NUMERO_PATTERN, description="Número de transacción")]


def _ministry() -> Actor:
    caller = caller_from_event(app.current_event.raw_event)
    ministry.require_operator(caller)  # live group, account state and TOTP (decision 0029)
    return actor_from_event(app.current_event.raw_event, caller.username)


def _system() -> tuple[tramites.System, Actor]:
    context = (app.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    if not context.get("ccfNit") or not context.get("serviceId"):
        raise DomainError(code="UNAUTHENTICATED", status=401)
    system = tramites.System(
        nit=str(context["ccfNit"]), service_id=str(context["serviceId"]), client_id=str(context.get("clientId", ""))
    )
    return system, actor_from_event(app.current_event.raw_event, f"client:{system.client_id[:128]}")


def _base_url() -> str:
    return settings().public_api_base_url  # configured, never the request's Host (decision 0054)


def _json(body: Any, status: int = 200, replayed: bool = False) -> Response[Any]:
    headers = dict(NO_STORE)
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(status_code=status, content_type="application/json", body=body, headers=headers)


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
    actor = _ministry()
    with aws_faults_as_unavailable():
        body = tramites.file_tramite(settings(), request, _base_url(), actor)
    return _json(TramiteView.model_validate(body).model_dump(mode="json"), 201)


@app.get(
    "/admin/tramites/<numeroTransaccion>",
    summary="Estado del trámite: intentos de entrega, acuse de la CCF y respuesta",
    tags=ADMIN_TAG,
)
def get_tramite(numeroTransaccion: NumeroPath) -> Response[TramiteView]:
    _ministry()
    with aws_faults_as_unavailable():
        body = tramites.get_tramite(settings(), numeroTransaccion)
    return _json(TramiteView.model_validate(body).model_dump(mode="json"))


@app.post(
    "/admin/tramites/<numeroTransaccion>/redrive",
    summary="Reenviar la notificación de un trámite FALLIDA",
    description="El trámite vuelve a PENDIENTE y la notificación se reintenta con la misma Idempotency-Key. "
    "409 si el trámite no está FALLIDA.",
    tags=ADMIN_TAG,
)
def redrive(numeroTransaccion: NumeroPath) -> Response[TramiteView]:
    actor = _ministry()
    with aws_faults_as_unavailable():
        body = tramites.redrive(settings(), numeroTransaccion, actor)
    return _json(TramiteView.model_validate(body).model_dump(mode="json"), 202)


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
    with aws_faults_as_unavailable():
        content_type, body = tramites.pull(settings(), system, request, actor)
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
    with aws_faults_as_unavailable():
        ack, replayed = tramites.answer(settings(), system, request, actor)
    return _json(SatRespuestaAck.model_validate(ack).model_dump(mode="json"), replayed=replayed)


@app.post(
    "/sat/recepcion-traslado-caja",
    summary="RECEPCION TRASLADO CAJA: solicitud de traslado de un empleador entre cajas",
    description="La CCF que envía debe ser la caja de origen o la de destino, y ambas deben estar activas. "
    "Idempotente por NumeroTransaccion; otra solicitud con el mismo número es 409.",
    tags=SAT_TAG,
)
def transfer(request: Annotated[SatTraslado, Body()]) -> Response[SatTrasladoAck]:
    system, actor = _system()
    with aws_faults_as_unavailable():
        ack, replayed = tramites.transfer(settings(), system, request, actor)
    return _json(SatTrasladoAck.model_validate(ack).model_dump(mode="json"), replayed=replayed)


@app.get(
    "/.well-known/jwks.json",
    summary="Llaves públicas del Ministerio para verificar las notificaciones firmadas (JWKS, RFC 7517)",
    tags=["Plataforma"],
)
def jwks() -> Response[dict[str, Any]]:
    with aws_faults_as_unavailable():
        body = tramite_keys.jwks([settings().notification_signing_key_id])
    return Response(
        status_code=200, content_type="application/json", body=body, headers={"Cache-Control": "public, max-age=300"}
    )


lambda_handler = lambda_entry(app)
