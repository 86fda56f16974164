"""Entry point of the delegation function: the /employers routes, the Ministry's RUT review, and the S3
"object created" events of RUT uploads (through an SQS queue). The work is in employers.py, rut.py and
authorizations.py; every /employers/{nit} route starts from the caller's stored grant (access.membership)."""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from delegation import authorizations, employers, review_queue, rut
from delegation.access import membership
from delegation.config import deps
from delegation.models import (
    AUTHORIZATION_ID_PATTERN,
    NIT_PATH_PATTERN,
    AuthorizationCreate,
    AuthorizationPage,
    AuthorizationView,
    DelegateData,
    DelegateView,
    EmployerCreate,
    EmployerCreated,
    EmployerStatus,
    EmployerUpdate,
    EmployerView,
    HeadquartersData,
    HeadquartersView,
    RutReview,
    RutUploadSlot,
)
from delegation.review_models import ReviewCompany, ReviewQueuePage, ReviewRutLink
from sat_common import listing, ministry
from sat_common.api import (
    NO_STORE,
    create_resolver,
    json_response,
    lambda_entry,
    no_content,
    request_actor,
    request_caller,
    request_language,
)
from sat_common.observability import logger
from sat_common.operator_groups import AUDITOR, REVIEWER

app = create_resolver()


EMPLOYER = ["Empleador persona jurídica"]
AUTHORIZED = ["Administración de autorizados"]
MINISTRY = ["Ministerio"]
STATUS_QUERY = Literal["DRAFT", "RUT_REQUIRED", "PENDING_REVIEW", "RUT_REJECTED", "REGISTERED"]
Nit = Annotated[str, Path(pattern=NIT_PATH_PATTERN, description="NIT de la empresa: 9 dígitos, sin DV")]
AuthorizationId = Annotated[str, Path(pattern=AUTHORIZATION_ID_PATTERN, description="Id de la autorización (ULID)")]


@app.post(
    "/employers",
    summary="Paso 2: datos básicos de la persona jurídica (como en el RUT)",
    tags=EMPLOYER,
    responses={
        201: {"description": "DRAFT si coincide con las fuentes de referencia; si no, RUT_REQUIRED + upload"},
        200: {
            "description": "Empresa ya registrada por otra persona: el representante legal que hoy indican las "
            "fuentes de referencia la asume (el anterior pierde el rol)"
        },
    },
)
def create_employer(body: EmployerCreate) -> Response[EmployerCreated]:
    caller = request_caller(app)
    created, status = employers.create(deps(), caller, body, request_actor(app, caller))
    return json_response(EmployerCreated.model_validate(created), status)


@app.get("/employers/<nit>", summary="Datos de la empresa (representante legal o delegado)", tags=EMPLOYER)
def get_employer(nit: Nit) -> Response[EmployerView]:
    caller = request_caller(app)
    found = employers.view(deps(), membership(deps(), caller, nit), request_language(app))
    return json_response(EmployerView.model_validate(found))


@app.patch("/employers/<nit>", summary="Actualizar datos de la sede principal y generales", tags=EMPLOYER)
def patch_employer(nit: Nit, body: EmployerUpdate) -> Response[EmployerView]:
    caller = request_caller(app)
    member = membership(deps(), caller, nit)
    employers.update(deps(), member, body, request_actor(app, caller))
    found = employers.view(deps(), membership(deps(), caller, nit), request_language(app))
    return json_response(EmployerView.model_validate(found))


@app.post(
    "/employers/<nit>/rut",
    summary="Espacio de carga del RUT (PDF, máx. 1 MiB): formulario S3 firmado de corta duración",
    tags=EMPLOYER,
    responses={201: {"description": "Formulario de carga; el archivo se revisa al llegar"}},
)
def rut_slot(
    nit: Nit,
    returnTo: Annotated[
        str | None,
        Query(
            pattern="^portal$",
            description="portal: el formulario lleva success_action_redirect a la página de la empresa en el portal",
        ),
    ] = None,
) -> Response[RutUploadSlot]:
    caller = request_caller(app)
    member = membership(deps(), caller, nit)
    slot = rut.request_slot(deps(), member, request_actor(app, caller), return_to_portal=returnTo == "portal")
    return json_response(RutUploadSlot.model_validate(slot), 201)


@app.put(
    "/employers/<nit>/delegate",
    summary="Paso 3: designar (o reemplazar) al delegado",
    tags=EMPLOYER,
)
def put_delegate(nit: Nit, body: DelegateData) -> Response[DelegateView]:
    caller = request_caller(app)
    delegate = employers.set_delegate(deps(), membership(deps(), caller, nit), body, request_actor(app, caller))
    return json_response(DelegateView.model_validate(delegate))


@app.put("/employers/<nit>/headquarters", summary="Paso 4: sede principal e información general", tags=EMPLOYER)
def put_headquarters(nit: Nit, body: HeadquartersData) -> Response[HeadquartersView]:
    caller = request_caller(app)
    member = membership(deps(), caller, nit)
    saved = employers.save_headquarters(
        deps(), member, body.model_dump(), request_actor(app, caller), "HEADQUARTERS_SAVED"
    )
    return json_response(HeadquartersView.model_validate(saved))


@app.post(
    "/employers/<nit>/confirmation",
    summary="Confirmar: crea el rol Empleador persona jurídica; 409 con los pasos que faltan",
    tags=EMPLOYER,
)
def confirm_employer(nit: Nit) -> Response[EmployerStatus]:
    caller = request_caller(app)
    result = employers.confirm(deps(), membership(deps(), caller, nit), request_actor(app, caller))
    return json_response(EmployerStatus.model_validate(result))


@app.get("/employers/<nit>/authorizations", summary="Lista de personas autorizadas", tags=AUTHORIZED)
def list_authorizations(
    nit: Nit,
    limit: Annotated[int | None, Query(ge=1, le=100, description="Tamaño de página (1-100, 20 por omisión)")] = None,
    nextToken: Annotated[str | None, Query(min_length=1, max_length=1000, description="De la página anterior")] = None,
) -> Response[AuthorizationPage]:
    caller = request_caller(app)
    member = membership(deps(), caller, nit)
    page = authorizations.listing(deps(), member, limit or deps().settings.page_size_default, nextToken)
    return json_response(AuthorizationPage.model_validate(page))


@app.post(
    "/employers/<nit>/authorizations",
    summary="Autorizar a una persona (rol CAJA DE SUBSIDIO FAMILIAR)",
    tags=AUTHORIZED,
    responses={201: {"description": "Autorización creada; 409 ALREADY_AUTHORIZED o CCF_ROLE_NOT_ACTIVE"}},
)
def create_authorization(nit: Nit, body: AuthorizationCreate) -> Response[AuthorizationView]:
    caller = request_caller(app)
    created = authorizations.create(deps(), membership(deps(), caller, nit), body, request_actor(app, caller))
    return json_response(AuthorizationView.model_validate(created), 201)


@app.delete(
    "/employers/<nit>/authorizations/<authorizationId>",
    summary="Revocar una autorización (efectiva en la siguiente solicitud del autorizado)",
    description="La cabecera `Link` (rel `urn:sat-ccf:rel:rotate-consumer-password`) sugiere cambiar de inmediato "
    "la contraseña de consumo de la CCF, que la persona revocada pudo conocer; los demás autorizados reciben el "
    "mismo aviso por correo.",
    tags=AUTHORIZED,
    responses={204: {"description": "Revocada"}},
)
def revoke_authorization(nit: Nit, authorizationId: AuthorizationId) -> Response[None]:
    caller = request_caller(app)
    authorizations.revoke(deps(), membership(deps(), caller, nit), authorizationId, request_actor(app, caller))
    return no_content({**NO_STORE, "Link": authorizations.rotation_link(deps(), nit)})


@app.post("/admin/employers/<nit>/rut-review", summary="Aprobar o rechazar el RUT cargado (Ministerio)", tags=MINISTRY)
def review_rut(nit: Nit, body: RutReview) -> Response[EmployerStatus]:
    caller = request_caller(app)
    result = rut.review(deps(), caller, nit, body.decision, body.reason, request_actor(app, caller))
    return json_response(EmployerStatus.model_validate(result))


# --- The Ministry's RUT review queue and viewer (decision 0092) ---------------------------------------------


@app.get(
    "/admin/employers",
    summary="Cola de revisión: empresas en un estado, la más antigua primero (Ministerio)",
    tags=MINISTRY,
)
def list_employers(
    status: Annotated[STATUS_QUERY, Query(description="Estado de la empresa (PENDING_REVIEW por omisión)")] = (
        "PENDING_REVIEW"
    ),
    limit: Annotated[int, Query(ge=1, le=100, description="Tamaño de página (1-100)")] = 25,
    pageToken: Annotated[str | None, Query(min_length=1, max_length=2000, description="De la página anterior")] = None,
) -> Response[ReviewQueuePage]:
    ministry.require_operator(request_caller(app), REVIEWER, AUDITOR)  # live, decisions 0029 and 0090
    listing.reject_unknown_query(app.current_event.raw_event, review_queue.QUERY_PARAMETERS)
    page = review_queue.queue(deps(), status, limit, pageToken)
    return json_response(ReviewQueuePage.model_validate(page))


@app.get(
    "/admin/employers/<nit>",
    summary="Una empresa: datos digitados frente a la fuente de referencia, y el RUT (Ministerio)",
    tags=MINISTRY,
)
def get_employer_for_review(nit: Nit) -> Response[ReviewCompany]:
    ministry.require_operator(request_caller(app), REVIEWER, AUDITOR)
    listing.reject_unknown_query(app.current_event.raw_event, frozenset())
    found = review_queue.company(deps(), nit, request_language(app))
    return json_response(ReviewCompany.model_validate(found))


@app.get(
    "/admin/employers/<nit>/rut",
    summary="Enlace firmado (≤ 5 minutos) para ver el PDF del RUT cargado (Ministerio, revisor)",
    description="Cada enlace entregado queda en la auditoría (RUT_VIEWED). 404 RUT_FILE_NOT_FOUND sin archivo.",
    tags=MINISTRY,
)
def view_rut(nit: Nit) -> Response[ReviewRutLink]:
    caller = request_caller(app)
    ministry.require_operator(caller, REVIEWER)
    listing.reject_unknown_query(app.current_event.raw_event, frozenset())
    link = review_queue.view_link(deps(), nit, request_actor(app, caller))
    return json_response(ReviewRutLink.model_validate(link))


_api_handler = lambda_entry(app)


def _s3_events(event: dict[str, Any]) -> dict[str, Any]:
    """SQS batch of S3 notifications (RUT uploads); reports partial failures so only those are retried."""
    import json

    failures = []
    for message in event.get("Records", []):
        try:
            body = json.loads(message.get("body") or "{}")
            rut.handle_s3_records(deps(), body.get("Records") or [])  # s3:TestEvent has no Records
        except Exception as error:
            logger.warning("RUT upload event failed", extra={"errorType": type(error).__name__})
            failures.append({"itemIdentifier": message.get("messageId")})
    return {"batchItemFailures": failures}


@logger.inject_lambda_context
def _queue_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return _s3_events(event)


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event and "httpMethod" not in event:
        return _queue_handler(event, context)
    return _api_handler(event, context)
