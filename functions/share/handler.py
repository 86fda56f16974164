"""Entry point of the share function: routes only (manual §6 "Compartir servicios web con la Entidad"; decision
0050). The work is in one module per operation family: registration, reading, service_changes, oauth_credentials,
connection_test, key_slots, test_notification; their items in repository. AWS faults are answered by the
resolver (503 + Retry-After, or 500 for a permission error)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from sat_common import ccf_summary
from sat_common.api import create_resolver, json_response, lambda_entry, no_content, request_actor, request_caller
from share import (
    connection_test,
    key_slots,
    oauth_credentials,
    reading,
    registration,
    service_changes,
    test_notification,
)
from share.config import settings
from share.context import Context
from share.models import (
    NIT_PATTERN,
    SHARED_SERVICE_ID_PATTERN,
    SharedService,
    SharedServiceCreate,
    SharedServiceCreated,
    SharedServiceKey,
    SharedServiceKeyCreate,
    SharedServiceOAuthRequest,
    SharedServicePage,
    SharedServicePatch,
    SharedServiceTestNotification,
    SharedServiceVerification,
)

app = create_resolver()

TAGS = ["Compartir servicios web con la Entidad"]
Nit = Annotated[str, Path(pattern=NIT_PATTERN, description="NIT de la CCF (9 dígitos, sin dígito de verificación)")]
SharedServiceId = Annotated[
    str, Path(pattern=SHARED_SERVICE_ID_PATTERN, description="Id del servicio compartido (ULID)")
]


def _context(nit: str) -> Context:
    caller = request_caller(app)
    return Context(settings=settings(), caller=caller, actor=request_actor(app, caller), nit=nit)


def _changed(ctx: Context) -> None:
    """The CCF's shared-service summary the Ministry's CCF list shows, rewritten after each change (decision 0093)."""
    ccf_summary.refresh_shared_services(ctx.settings.main_table_name, ctx.nit)


@app.post(
    "/ccfs/<nit>/shared-services",
    summary="Compartir un servicio web de la CCF con la Entidad",
    tags=TAGS,
    responses={201: {"description": "Servicio compartido registrado"}},
)
def create_shared_service(nit: Nit, request: Annotated[SharedServiceCreate, Body()]) -> Response[SharedServiceCreated]:
    ctx = _context(nit)
    created = registration.create(ctx, request)
    _changed(ctx)
    return json_response(SharedServiceCreated.model_validate(created), 201)


@app.get("/ccfs/<nit>/shared-services", summary="Servicios compartidos de la CCF (paginado)", tags=TAGS)
def list_shared_services(
    nit: Nit,
    limit: Annotated[int, Query(ge=1, le=100, description="Tamaño de página")] = 20,
    nextToken: Annotated[str | None, Query(max_length=1024, description="Página siguiente")] = None,
) -> Response[SharedServicePage]:
    ctx = _context(nit)
    return json_response(SharedServicePage.model_validate(reading.list_page(ctx, limit, nextToken)))


@app.get(
    "/ccfs/<nit>/shared-services/<sharedServiceId>",
    summary="Un servicio compartido (nunca devuelve secretos)",
    tags=TAGS,
)
def get_shared_service(nit: Nit, sharedServiceId: SharedServiceId) -> Response[SharedService]:
    ctx = _context(nit)
    return json_response(SharedService.model_validate(reading.get(ctx, sharedServiceId)))


@app.patch(
    "/ccfs/<nit>/shared-services/<sharedServiceId>",
    summary="Modificar un servicio compartido",
    description="Una URL nueva de un servicio con credenciales OAuth exige enviar de nuevo cada secreto "
    "(clientSecret, y password si hay usuario): 422 nombrando los que faltan. Los demás autorizados de la CCF "
    "reciben un correo. Hasta que la URL nueva pase la prueba de conexión, las notificaciones siguen llegando a la "
    "última configuración verificada (verifiedConfiguration).",
    tags=TAGS,
)
def patch_shared_service(
    nit: Nit, sharedServiceId: SharedServiceId, request: Annotated[SharedServicePatch, Body()]
) -> Response[SharedService]:
    ctx = _context(nit)
    patched = service_changes.patch(ctx, sharedServiceId, request)
    _changed(ctx)
    return json_response(SharedService.model_validate(patched))


@app.delete(
    "/ccfs/<nit>/shared-services/<sharedServiceId>",
    summary="Eliminar un servicio compartido (y programar la eliminación de su secreto)",
    tags=TAGS,
    responses={204: {"description": "Eliminado"}},
)
def delete_shared_service(nit: Nit, sharedServiceId: SharedServiceId) -> Response[None]:
    ctx = _context(nit)
    registration.delete(ctx, sharedServiceId)
    _changed(ctx)
    return no_content()


@app.put(
    "/ccfs/<nit>/shared-services/<sharedServiceId>/oauth",
    summary="Credenciales OAuth 2.0 del servicio compartido",
    description="password y clientSecret omitidos conservan los guardados, salvo que cambien tokenUrl, username o "
    "clientId: entonces cada secreto se envía de nuevo (422 nombrando los que faltan) y los demás autorizados de "
    "la CCF reciben un correo. Hasta que los datos nuevos pasen la prueba de conexión, las notificaciones siguen "
    "llegando a la última configuración verificada (verifiedConfiguration).",
    tags=TAGS,
)
def put_shared_service_oauth(
    nit: Nit, sharedServiceId: SharedServiceId, request: Annotated[SharedServiceOAuthRequest, Body()]
) -> Response[SharedService]:
    ctx = _context(nit)
    saved = oauth_credentials.put_oauth(ctx, sharedServiceId, request)
    _changed(ctx)
    return json_response(SharedService.model_validate(saved))


@app.post(
    "/ccfs/<nit>/shared-services/<sharedServiceId>/verification",
    summary="Probar la conexión: un token del servicio de token de la CCF y la URL del servicio (sin credenciales)",
    description="Si pasa, el servicio queda ACTIVE y su configuración es la verificada: las notificaciones van a ella. "
    "Si falla, las notificaciones siguen llegando a la última configuración verificada (verifiedConfiguration), "
    "si la hay.",
    tags=TAGS,
)
def verify_shared_service(nit: Nit, sharedServiceId: SharedServiceId) -> Response[SharedServiceVerification]:
    ctx = _context(nit)
    verified = connection_test.verify(ctx, sharedServiceId)
    _changed(ctx)
    return json_response(SharedServiceVerification.model_validate(verified))


@app.post(
    "/ccfs/<nit>/shared-services/<sharedServiceId>/test-notification",
    summary="Enviar una notificación de prueba firmada (codigo_novedad PRUEBA) al servicio y ver si acusa recibo",
    description="Se envía en el momento con el token OAuth de la CCF, firmada como las notificaciones de "
    "trámites. 409 SHARED_SERVICE_NOT_VERIFIED si la conexión del servicio no se ha probado con éxito; 429 "
    "TEST_NOTIFICATION_RATE_LIMITED con Retry-After.",
    tags=TAGS,
)
def send_test_notification(nit: Nit, sharedServiceId: SharedServiceId) -> Response[SharedServiceTestNotification]:
    ctx = _context(nit)
    result = test_notification.send(ctx, sharedServiceId)
    return json_response(SharedServiceTestNotification.model_validate(result))


Kid = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9_-]{43}$", description="Huella RFC 7638 de la llave (SHA-256, base64url)")
]


@app.post(
    "/ccfs/<nit>/shared-services/<sharedServiceId>/keys",
    summary="Registrar otra llave pública del servicio (hasta dos; la consulta se cifra a la más reciente)",
    description="Agregar o quitar una llave no devuelve el servicio a PENDING_VERIFICATION: las notificaciones "
    "siguen llegando. Para rotar: registre la nueva, espere a que su sistema descifre con ella y quite la anterior.",
    tags=TAGS,
    responses={201: {"description": "Llave registrada"}},
)
def add_shared_service_key(
    nit: Nit, sharedServiceId: SharedServiceId, request: Annotated[SharedServiceKeyCreate, Body()]
) -> Response[SharedServiceKey]:
    ctx = _context(nit)
    added = key_slots.add(ctx, sharedServiceId, request.publicKey)
    _changed(ctx)
    return json_response(SharedServiceKey.model_validate(added), 201)


@app.delete(
    "/ccfs/<nit>/shared-services/<sharedServiceId>/keys/<kid>",
    summary="Quitar una llave pública del servicio",
    tags=TAGS,
    responses={204: {"description": "Quitada"}},
)
def delete_shared_service_key(nit: Nit, sharedServiceId: SharedServiceId, kid: Kid) -> Response[None]:
    ctx = _context(nit)
    key_slots.remove(ctx, sharedServiceId, kid)
    _changed(ctx)
    return no_content()


lambda_handler = lambda_entry(app)
