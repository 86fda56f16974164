"""Entry point of the oauth function: the token endpoint CCF systems call, its RFC 8414 metadata and the JWKS
of the access tokens' key (decision 0100), and the token's own session."""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from oauth import metadata, tokens
from oauth.config import settings
from sat_common.api import create_resolver, json_response, lambda_entry
from sat_common.auth import actor_from_event
from sat_common.errors import DomainError

app = create_resolver()

TAG = ["Sistemas CCF"]
TOKEN_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1: sat_common.api.NO_STORE and Pragma
PUBLIC = {"Cache-Control": "public, max-age=300"}  # the metadata and the key change only with a deployment
BASIC_CHALLENGE = 'Basic realm="sat-ccf", charset="UTF-8"'  # RFC 7617; charset: how the server reads the bytes


@app.post(
    "/oauth2/token",
    summary="Token de acceso (OAuth 2.0, RFC 6749): client_credentials o password (compatibilidad)",
    description=(
        "Cuerpo `application/x-www-form-urlencoded`. `grant_type=client_credentials` con el Client ID del "
        "servicio y la contraseña asignada como client secret (HTTP Basic, codificado o no según RFC 6749 "
        "§2.3.1, o en el cuerpo), o el modo de compatibilidad `grant_type=password` (`client_id`, `username` = "
        "NIT de la CCF, `password`). `scope` opcional: el identificador del servicio, que la respuesta siempre "
        "indica. Errores según RFC 6749 §5.2: `invalid_client` (401, con `WWW-Authenticate: Basic`), "
        "`invalid_grant`, `invalid_request`, `invalid_scope`, `unsupported_grant_type` (400), `slow_down` "
        "(429, demasiados intentos fallidos)."
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
        answer = tokens.issue(settings(), request, actor)
    except tokens.OAuthError as error:
        return _error(error)
    return json_response(answer, headers=TOKEN_HEADERS)


def _error(error: tokens.OAuthError) -> Response[dict[str, Any]]:
    body: dict[str, str] = {"error": error.error}
    if error.description:
        body["error_description"] = error.description
    headers = dict(TOKEN_HEADERS)
    if error.status == 401:  # every 401 states its challenge (RFC 7235 §3.1), whatever method the client used
        headers["WWW-Authenticate"] = BASIC_CHALLENGE
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    return json_response(body, error.status, headers)


@app.get(
    metadata.METADATA_PATH,
    summary="Metadatos del servidor de autorización (RFC 8414): issuer, token_endpoint, jwks_uri",
    description="Para que el cliente OAuth 2.0 de la CCF descubra el endpoint de token, los métodos de "
    "autenticación admitidos y las llaves con las que verificar los tokens de acceso; `issuer` es el `iss` "
    "de esos tokens.",
    tags=TAG,
)
def authorization_server() -> Response[dict[str, Any]]:
    return json_response(metadata.authorization_server(settings()), headers=PUBLIC)


@app.get(
    metadata.JWKS_PATH,
    summary="Llaves públicas de los tokens de acceso (JWKS, RFC 7517)",
    description="La llave RS256 con la que se firman los tokens de `POST /oauth2/token` (`kid` del encabezado "
    "del token). Las notificaciones se verifican con otra llave, la de `/.well-known/jwks.json`.",
    tags=TAG,
)
def access_token_keys() -> Response[dict[str, Any]]:
    return json_response(metadata.jwks(settings()), headers=PUBLIC)


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
    return json_response(body, headers=TOKEN_HEADERS)


lambda_handler = lambda_entry(app)
