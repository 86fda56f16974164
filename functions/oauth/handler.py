"""Entry point of the oauth function: the token endpoint CCF systems call, and the token's own session."""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from oauth import tokens
from oauth.config import settings
from sat_common.api import create_resolver, json_response, lambda_entry
from sat_common.auth import actor_from_event
from sat_common.dynamo import aws_faults_as_unavailable
from sat_common.errors import DomainError

app = create_resolver()

TAG = ["Sistemas CCF"]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1


@app.post(
    "/oauth2/token",
    summary="Token de acceso (OAuth 2.0, RFC 6749): client_credentials o password (compatibilidad)",
    description=(
        "Cuerpo `application/x-www-form-urlencoded`. `grant_type=client_credentials` con el Client ID del "
        "servicio y la contraseña asignada como client secret (HTTP Basic o en el cuerpo), o el modo de "
        "compatibilidad `grant_type=password` (`client_id`, `username` = NIT de la CCF, `password`). "
        "Errores según RFC 6749 §5.2: `invalid_client` (401), `invalid_grant`, `invalid_request`, "
        "`unsupported_grant_type` (400), `slow_down` (429, demasiados intentos fallidos)."
    ),
    tags=TAG,
)
def token() -> Response[dict[str, Any]]:
    event = app.current_event
    headers = {key.lower(): value for key, value in (event.headers or {}).items()}
    body = event.decoded_body if event.is_base64_encoded else (event.body or "")
    actor = actor_from_event(event.raw_event, "ccf-system")
    try:
        request = tokens.parse(body or "", headers.get("authorization"), headers.get("content-type"))
        actor = actor_from_event(event.raw_event, f"client:{request.client_id[:128]}")
        with aws_faults_as_unavailable():
            answer = tokens.issue(settings(), request, actor)
    except tokens.OAuthError as error:
        return _error(error)
    return json_response(answer, headers=NO_STORE)


def _error(error: tokens.OAuthError) -> Response[dict[str, Any]]:
    body: dict[str, str] = {"error": error.error}
    if error.description:
        body["error_description"] = error.description
    headers = dict(NO_STORE)
    if error.status == 401 and error.basic_challenge:
        headers["WWW-Authenticate"] = 'Basic realm="sat-ccf", charset="UTF-8"'
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return json_response(body, error.status, headers)


@app.get(
    "/sat/session",
    summary="Quién es el portador del token (CCF, servicio, Client ID, vencimiento)",
    description="Cualquier token válido de POST /oauth2/token puede llamarla: sirve para probar la integración.",
    tags=TAG,
)
def session() -> Response[dict[str, Any]]:
    context = (app.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    if not context.get("ccfNit"):
        raise DomainError(code="UNAUTHENTICATED", status=401)
    body = {
        "ccfNit": context["ccfNit"],
        "serviceId": context.get("serviceId"),
        "clientId": context.get("clientId"),
        "expiresAt": int(context.get("expiresAt") or 0),
    }
    return json_response(body, headers=NO_STORE)


lambda_handler = lambda_entry(app)
