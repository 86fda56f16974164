"""What tools need from the API's OpenAPI document beyond what the resolvers generate.

Applied by scripts/generate_openapi.py to the merged document: short stable operationIds (the handler's function
name in camelCase), ASCII tags with the Spanish names in `x-displayName`, `security: []` on public routes, the CCF
systems' OAuth 2.0 client-credentials scheme with its token URL, the errors each operation can answer with their
problem codes (from the route's authorizer, its path parameters and ROUTE_PROBLEMS), the pull's JWE body, the
request models' examples on their media types, and the `webhooks` entry of the notification the SAT sends to a CCF.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from infra.api_routes import ROUTES

PROBLEM_REF = "#/components/schemas/Problem"

# Statuses every operation of a kind can answer, with their problem codes (sat_common.errors, the gateway
# responses of infra/components/api.py).
UNAVAILABLE = {"503": ["SERVICE_UNAVAILABLE"]}
PERSON = {"401": ["UNAUTHENTICATED"]}
OPERATOR = {"403": ["FORBIDDEN", "MFA_REQUIRED"]}
CCF_SYSTEM = {"401": ["UNAUTHENTICATED"], "403": ["FORBIDDEN"]}
PATH_PARAMETERS = {"404": ["NOT_FOUND"]}
CCF_PERSON = {"403": ["CCF_SUSPENDED"]}  # every /ccfs/{nit} route, while the Ministry suspends the CCF (0093)

# Route-specific answers beyond those: "METHOD path" -> status -> problem codes.
ROUTE_PROBLEMS: dict[str, dict[str, list[str]]] = {
    "POST /registrations": {
        "409": ["ALREADY_REGISTERED"],
        "422": ["VALIDATION_FAILED", "PERSON_NOT_VERIFIED"],
        "423": ["DOCUMENT_LOCKED"],
    },
    "POST /registrations/{registrationId}/answers": {
        "404": ["REGISTRATION_NOT_FOUND"],
        "409": ["QUESTIONS_ALREADY_ANSWERED"],
        "423": ["DOCUMENT_LOCKED"],
    },
    "PUT /registrations/{registrationId}/contact": {
        "404": ["REGISTRATION_NOT_FOUND"],
        "409": ["REGISTRATION_STEP_NOT_ALLOWED"],
        "422": ["VALIDATION_FAILED", "REGISTRATION_NOT_VERIFIED"],
        "429": ["EMAIL_RESEND_LIMITED"],
    },
    "GET /registrations/{registrationId}": {"404": ["REGISTRATION_NOT_FOUND"]},
    "POST /password-setup": {"400": ["SETUP_TOKEN_INVALID"]},
    "POST /password-reset": {"429": ["PASSWORD_RESET_LIMITED"]},
    "POST /sessions": {"401": ["INVALID_CREDENTIALS"], "429": ["LOGIN_DELAYED"]},
    "POST /sessions/refresh": {"401": ["INVALID_REFRESH_TOKEN"]},
    "POST /sessions/mfa": {"401": ["MFA_SESSION_INVALID", "MFA_CODE_INVALID"]},
    "PUT /me/email": {"409": ["EMAIL_CHANGE_CONFLICT"], "429": ["EMAIL_CHANGE_LIMITED"]},
    "POST /me/email/confirmation": {"400": ["EMAIL_CHANGE_TOKEN_INVALID"]},
    "POST /me/mfa/totp": {"409": ["MFA_ALREADY_ENABLED"]},
    "PUT /me/mfa/totp": {"409": ["MFA_ENROLMENT_NOT_STARTED"], "422": ["VALIDATION_FAILED", "MFA_CODE_INVALID"]},
    "POST /employers": {"409": ["EMPLOYER_ALREADY_EXISTS"], "403": ["NOT_LEGAL_REPRESENTATIVE"]},
    "POST /employers/{nit}/rut": {"409": ["RUT_NOT_REQUIRED", "RUT_ALREADY_UPLOADED"]},
    "POST /employers/{nit}/confirmation": {"409": ["EMPLOYER_ALREADY_CONFIRMED", "CONCURRENT_UPDATE"]},
    "PUT /employers/{nit}/delegate": {
        "403": ["LEGAL_REPRESENTATIVE_ONLY"],
        "409": ["CONCURRENT_UPDATE"],
        "429": ["DELEGATE_INVITATIONS_LIMITED"],
    },
    "POST /employers/{nit}/authorizations": {"409": ["ALREADY_AUTHORIZED", "CCF_ROLE_NOT_ACTIVE"]},
    "POST /admin/employers/{nit}/rut-review": {"409": ["RUT_NOT_IN_REVIEW"]},
    "GET /admin/employers/{nit}/rut": {"404": ["RUT_FILE_NOT_FOUND"]},
    "PATCH /admin/ccfs/{nit}": {"404": ["CCF_NOT_FOUND"], "409": ["CCF_STATE_UNCHANGED"]},
    "POST /admin/ccfs": {"409": ["CCF_ALREADY_ACTIVE", "EMPLOYER_NOT_REGISTERED"]},
    "POST /admin/services": {"409": ["SERVICE_CODE_TAKEN"], "422": ["VALIDATION_FAILED", "INVALID_OPENAPI"]},
    "PATCH /admin/services/{serviceId}": {"404": ["SERVICE_NOT_FOUND"]},
    "POST /admin/ccfs/{nit}/services": {"409": ["SERVICE_ALREADY_ASSIGNED", "SERVICE_INACTIVE"]},
    "POST /admin/tramites": {"409": ["TRAMITE_EXISTS", "CCF_KEY_NOT_ACTIVE"]},
    "GET /admin/tramites/{numeroTransaccion}": {"404": ["TRAMITE_NOT_FOUND"]},
    "POST /admin/tramites/{numeroTransaccion}/redrive": {"404": ["TRAMITE_NOT_FOUND"], "409": ["TRAMITE_NOT_FAILED"]},
    "GET /ccfs/{nit}/services": {"403": ["TERMS_NOT_ACCEPTED"]},
    "GET /ccfs/{nit}/services/{serviceId}": {"403": ["TERMS_NOT_ACCEPTED"]},
    "POST /ccfs/{nit}/shared-services": {"409": ["SHARED_SERVICE_NAME_TAKEN"]},
    "PATCH /ccfs/{nit}/shared-services/{sharedServiceId}": {
        "404": ["SHARED_SERVICE_NOT_FOUND"],
        "409": ["SHARED_SERVICE_NAME_TAKEN", "CONCURRENT_UPDATE"],
    },
    "POST /ccfs/{nit}/shared-services/{sharedServiceId}/verification": {
        "409": ["SHARED_SERVICE_INCOMPLETE"],
        "429": ["VERIFICATION_RATE_LIMITED"],
    },
    "POST /sat/solicitud-afiliacion": {"404": ["TRAMITE_NOT_FOUND"], "409": ["CCF_KEY_NOT_ACTIVE"]},
    "POST /sat/respuesta-tramite-ccf": {"404": ["TRAMITE_NOT_FOUND"], "409": ["ANSWER_ALREADY_RECORDED"]},
    "POST /sat/recepcion-traslado-caja": {"409": ["TRANSFER_ALREADY_RECORDED"]},
}

HELP_DESK = {"name": "Mesa de ayuda (manual §7)", "email": "miseguridadsocial@minsalud.gov.co"}

LICENSE = {"name": "Ministerio de Salud y Protección Social", "identifier": "LicenseRef-MinSalud"}

STATUS_TEXT = {
    "400": "Solicitud inválida",
    "401": "No autenticado",
    "403": "Prohibido",
    "404": "No encontrado",
    "409": "Conflicto",
    "413": "Cuerpo demasiado grande",
    "415": "Tipo de contenido no soportado",
    "422": "Datos inválidos",
    "423": "Bloqueado",
    "429": "Demasiadas solicitudes",
    "500": "Error interno",
    "503": "Servicio no disponible",
}

JWE_COMPACT = r"^[\w-]+\.[\w-]*\.[\w-]+\.[\w-]+\.[\w-]+$"
JWE_RESPONSE = {
    "description": "La solicitud completa cifrada con la llave pública activa de la CCF: JWE (RFC 7516) en "
    "serialización compacta (RSA-OAEP-256 o ECDH-ES+A256KW, con A256GCM; decision 0061)",
    "content": {"application/jose": {"schema": {"type": "string", "pattern": JWE_COMPACT}}},
}


def apply(document: dict[str, Any]) -> dict[str, Any]:
    routes = {(route.method.lower(), route.path): route for route in ROUTES}
    components = document.setdefault("components", {})
    schemes = components.setdefault("securitySchemes", {})
    schemes["satToken"] = {
        "type": "oauth2",
        "description": "Token de acceso de un sistema CCF: client_credentials con el Client ID del servicio y la "
        "contraseña de consumo asignada (RFC 6749 §4.4)",
        "flows": {"clientCredentials": {"tokenUrl": "/oauth2/token", "scopes": {}}},
    }
    display_names: dict[str, str] = {}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            route = routes.get((method, path))
            operation["operationId"] = short_operation_id(operation["operationId"], path, method)
            operation.setdefault("description", operation.get("summary", ""))
            tags = []
            for tag in operation.get("tags", []):
                display_names[ascii_tag(tag)] = tag
                tags.append(ascii_tag(tag))
            operation["tags"] = tags
            if route is None or route.auth == "public":
                operation["security"] = []
            elif route.auth == "ccf_system":
                operation["security"] = [{"satToken": []}]
            document_problems(operation, problems_of(method, path, route))
            if (method, path) == ("post", "/sat/solicitud-afiliacion"):
                operation["responses"]["200"] = JWE_RESPONSE
            show_request_examples(operation, components.get("schemas", {}))
    display_names.update(add_webhooks(document))
    document["tags"] = [
        {"name": name, "x-displayName": display, "description": display}
        for name, display in sorted(display_names.items())
    ]
    document["info"]["contact"] = HELP_DESK
    document["info"]["license"] = LICENSE
    return document


def show_request_examples(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    """The request model's `examples` (pydantic json_schema_extra, the one place they are written) also as the
    media type's named examples: Swagger UI and Postman offer those, and Redocly checks them against the schema."""
    for media in operation.get("requestBody", {}).get("content", {}).values():
        ref = media.get("schema", {}).get("$ref", "")
        examples = schemas.get(ref.rsplit("/", 1)[-1], {}).get("examples") if ref.startswith("#/") else None
        if examples and "examples" not in media:
            media["examples"] = {
                f"ejemplo{number}": {"summary": f"Ejemplo {number}", "value": value}
                for number, value in enumerate(examples, start=1)
            }


def short_operation_id(generated: str, path: str, method: str) -> str:
    """Powertools names an operation `<function>_<path with _>_<method>`: keep the function, in camelCase."""
    suffix = re.sub(r"\W", "_", path) + "_" + method
    name = generated[: -len(suffix)] if generated.endswith(suffix) else generated
    first, *rest = name.strip("_").split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def ascii_tag(tag: str) -> str:
    """'Administración de autorizados' -> 'administracion-de-autorizados' (generated code names stay ASCII)."""
    plain = unicodedata.normalize("NFKD", tag).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def problems_of(method: str, path: str, route: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}

    def add(more: dict[str, list[str]]) -> None:
        for status, codes in more.items():
            found.setdefault(status, [])
            found[status] += [code for code in codes if code not in found[status]]

    add(UNAVAILABLE)
    if "{" in path:
        add(PATH_PARAMETERS)
    if route is not None and route.auth == "person":
        add(PERSON)
        if path.startswith("/admin/"):
            add(OPERATOR)
        if path.startswith("/ccfs/{nit}"):
            add(CCF_PERSON)
    if route is not None and route.auth == "ccf_system":
        add(CCF_SYSTEM)
    add(ROUTE_PROBLEMS.get(f"{method.upper()} {path}", {}))
    return found


def document_problems(operation: dict[str, Any], problems: dict[str, list[str]]) -> None:
    responses = operation.setdefault("responses", {})
    for status, codes in sorted(problems.items()):
        if status in responses and "problem+json" not in str(responses[status]):
            continue  # an answer of its own (e.g. the token endpoint's RFC 6749 errors)
        if status == "422" and codes == ["VALIDATION_FAILED"]:
            continue
        responses[status] = {
            "description": f"{STATUS_TEXT.get(status, 'Error')}: {', '.join(codes)}",
            "content": {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}},
            # The codes this operation answers itself; not an enum: the edge adds its own (WAF REQUEST_BLOCKED on
            # any 403, gateway throttling), which a closed list would wrongly declare impossible.
            "x-problem-codes": codes,
        }
    if "422" in responses and "problem+json" in str(responses["422"]) and "x-problem-codes" not in responses["422"]:
        responses["422"] = {
            "description": "Datos inválidos: VALIDATION_FAILED (la lista `errors` nombra cada campo)",
            "content": {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}},
        }


# --------------------------------------------------------------------------- the notification webhook
# What the SAT sends to a CCF's notification service (decisions 0062, 0103, 0105, 0106, 0108): the wire of
# notifications/delivery.py and share/test_notification.py, documented as an OpenAPI 3.1 webhook so CCF developers
# can generate the receiver. tests/integration/test_notification_webhook_contract.py checks a real delivery
# against it.
NOTIFICATION_SCHEMA = "NotificacionTramite"
ACKNOWLEDGEMENT_SCHEMA = "AcuseNotificacion"
NOTIFICATION_KEY_PATTERN = r"^sat-(notificacion-[0-9]{1,20}|prueba-[0-9A-HJKMNP-TV-Z]{26})$"
DETACHED_JWS = r"^[\w-]+\.\.[\w-]+$"
JWS_PROTECTED_HEADER = {
    "type": "object",
    "required": ["alg", "kid", "typ", "cty", "iat", "aud", "jti"],
    "properties": {
        "alg": {"const": "RS256", "description": "Único algoritmo aceptado (lista permitida)"},
        "kid": {"type": "string", "description": "Huella RFC 7638 de la llave del Ministerio que firmó (en el JWKS)"},
        "typ": {"const": "sat-notificacion+jws"},
        "cty": {"const": "json"},
        "iat": {
            "type": "integer",
            "description": "Segundos desde la época en que se firmó (cada intento firma de nuevo)",
        },
        "aud": {"type": "string", "pattern": r"^[0-9]{9}$", "description": "NIT de la CCF destinataria (9 dígitos)"},
        "jti": {
            "type": "string",
            "pattern": NOTIFICATION_KEY_PATTERN,
            "description": "Igual al encabezado Idempotency-Key",
        },
    },
    "additionalProperties": False,
}
NOTIFICATION_EXAMPLE = {
    "numero_transaccion": "2026120100012345",
    "codigo_novedad": "AFI",
    "fecha_creacion": "2026-12-01T14:05:09.123+00:00",
    "fecha_vigencia": "2026-12-31",
    "estado_flujo": "PENDIENTE_RESPUESTA_CCF",
    "url": "https://api.sat.minsalud.gov.co/sat/solicitud-afiliacion",
    "estado_afiliacion": "EN_TRAMITE",
}
TEST_NOTIFICATION_EXAMPLE = {
    "numero_transaccion": "2026120114051701H8QZ",
    "codigo_novedad": "PRUEBA",
    "fecha_creacion": "2026-12-01T14:05:17.480+00:00",
    "fecha_vigencia": "2026-12-02",
    "estado_flujo": "PRUEBA",
    "url": "",
    "estado_afiliacion": "PRUEBA",
}
NOTIFICATION = {
    "type": "object",
    "description": "El aviso de un trámite (product.md §5), con los nombres de campo que los sistemas de las CCF "
    "conocen. Trae solo el número y la URL de consulta: los datos personales se obtienen después con la consulta "
    "(`url`), cifrados. La notificación de prueba (decision 0108) tiene `codigo_novedad`, `estado_flujo` y "
    "`estado_afiliacion` iguales a `PRUEBA`, un `numero_transaccion` que no es de ningún trámite y `url` vacía: "
    "se acusa recibo igual, pero no se consulta. Un receptor debe ignorar los campos que no conozca.",
    "required": [
        "numero_transaccion",
        "codigo_novedad",
        "fecha_creacion",
        "fecha_vigencia",
        "estado_flujo",
        "url",
        "estado_afiliacion",
    ],
    "properties": {
        "numero_transaccion": {
            "type": "string",
            "pattern": r"^([0-9]{1,20}|[0-9]{14}[0-9A-Z]{6})$",
            "description": "Número de la transacción (solo dígitos); en la prueba, 14 dígitos y 6 letras o dígitos",
        },
        "codigo_novedad": {
            "type": "string",
            "pattern": r"^[A-Z0-9_]{1,10}$",
            "description": "Código de la novedad: AFI (afiliación) u otro del SAT; PRUEBA en la notificación de prueba",
        },
        "fecha_creacion": {"type": "string", "format": "date-time", "description": "Cuándo se radicó (UTC)"},
        "fecha_vigencia": {"type": "string", "format": "date", "description": "Hasta cuándo la CCF puede responder"},
        "estado_flujo": {"type": "string", "enum": ["PENDIENTE_RESPUESTA_CCF", "PRUEBA"]},
        "url": {
            "type": "string",
            "pattern": r"^(https?://\S+/sat/solicitud-afiliacion)?$",
            "description": 'El servicio SOLICITUD AFILIACION: POST con {"numeroTransaccion"} y el token del Client ID '
            "de ese servicio; responde la solicitud completa cifrada (JWE). Vacía en la notificación de prueba",
        },
        "estado_afiliacion": {"type": "string", "enum": ["EN_TRAMITE", "PRUEBA"]},
    },
    "examples": [NOTIFICATION_EXAMPLE, TEST_NOTIFICATION_EXAMPLE],
}
ACKNOWLEDGEMENT = {
    "type": "object",
    "description": "El acuse de recibo: JSON cuyo `numero_transaccion` (o `NumeroTransaccion`) es el de la "
    "notificación. `estado` y `radicado` (también `Estado`, `NumeroRadicado` o `numero_radicado`) son opcionales; "
    "el Ministerio guarda hasta 100 caracteres de cada uno y los muestra en el detalle del trámite.",
    "anyOf": [{"required": ["numero_transaccion"]}, {"required": ["NumeroTransaccion"]}],
    "properties": {
        "numero_transaccion": {"type": "string", "description": "El de la notificación, igual"},
        "NumeroTransaccion": {"type": "string", "description": "Nombre alterno de numero_transaccion"},
        "estado": {"type": "string", "maxLength": 100, "description": "Estado en el sistema de la CCF"},
        "radicado": {"type": "string", "maxLength": 100, "description": "Radicado asignado por la CCF"},
    },
    "examples": [{"numero_transaccion": "2026120100012345", "estado": "RECIBIDA", "radicado": "CCF-012345"}],
}
RETRIED = (
    "Se reintenta según el calendario (esperas crecientes con variación aleatoria, durante al menos 24 horas; "
    "decision 0105)"
)
RETRY_AFTER = {
    "Retry-After": {
        "description": "Segundos que el Ministerio espera como mínimo antes del siguiente intento (máximo 12 h)",
        "schema": {"type": "integer", "minimum": 0},
    }
}
ANY_BODY: dict[str, Any] = {"application/json": {"schema": {}}}  # whatever the CCF answers


def _receiver_answer(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": ANY_BODY}
    if headers:
        answer["headers"] = headers
    return answer


NOTIFICATION_WEBHOOK = {
    "post": {
        "operationId": "recibirNotificacionTramite",
        "summary": "Notificación de un trámite al servicio de notificaciones de la CCF",
        "description": "El Ministerio envía un POST (u otra operación registrada) a la URL del servicio compartido "
        "de la CCF con propósito NOTIFICACION_TRAMITES (decision 0106), una vez por trámite y de nuevo en cada "
        "reintento, reenvío o redespacho, con el mismo `Idempotency-Key`. También la envía, sin trámite, el botón "
        "«Enviar notificación de prueba» (`codigo_novedad` PRUEBA).\n\n"
        "**Autenticación.** `Authorization: Bearer <token>`: el token que el servicio de token de la CCF (la "
        "URL, el Client ID y el secreto registrados en la parte OAuth del servicio) entregó al Ministerio con "
        "`client_credentials` (o `password` si se registró un usuario) y `client_secret_basic` (RFC 6749 §2.3.1). "
        "El Ministerio lo guarda en memoria hasta poco antes de `expires_in`; ante un 401 pide otro una vez.\n\n"
        "**Firma.** `X-JWS-Signature` es un JWS compacto desacoplado (RFC 7515 apéndice F: `<cabecera>..<firma>`) "
        "sobre los bytes exactos del cuerpo. Para verificar: tome la cabecera protegida, ponga el cuerpo en "
        "base64url entre los dos puntos y verifique RS256 con la llave del JWKS del Ministerio "
        "(`GET /.well-known/jwks.json`) cuyo `kid` es el de la cabecera (si no la tiene, descargue el JWKS de "
        "nuevo: publica la llave actual, la siguiente y la anterior). Con la firma válida, compruebe: `alg` = "
        "RS256 (no acepte otro), `typ` = `sat-notificacion+jws`, `aud` = el NIT propio, `iat` a no más de 5 "
        "minutos del reloj propio y `jti` = `Idempotency-Key`. Procese cada `jti` una sola vez: un `jti` repetido "
        "recibe el mismo acuse, sin procesar de nuevo (decision 0103).\n\n"
        "**Acuse.** Una respuesta 2xx con JSON cuyo `numero_transaccion` es el de la notificación deja el trámite "
        "NOTIFICADA. Un 2xx sin ese acuse se reintenta. 408, 429, 5xx, 401 (tras renovar el token) y los fallos de "
        "conexión o tiempo se reintentan con esperas crecientes (con variación aleatoria; `Retry-After` se "
        "respeta) durante al menos 24 horas (decision 0105), y después el trámite queda FALLIDA. Cualquier otro "
        "4xx y las redirecciones (no se siguen) dejan el trámite FALLIDA de inmediato. Un 410 además deshabilita "
        "el servicio; también se deshabilita el que no acusa nada durante días. Los autorizados de la CCF y los "
        "operadores del Ministerio reciben un correo en cada caso.",
        "tags": ["notificaciones-a-la-ccf"],
        "security": [{"ccfNotificationToken": []}],
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "description": "Clave de la notificación: `sat-notificacion-<numero_transaccion>` (igual en cada "
                "reintento y reenvío) o `sat-prueba-<ULID>` en la notificación de prueba. Es el `jti` firmado",
                "schema": {"type": "string", "pattern": NOTIFICATION_KEY_PATTERN},
                "example": "sat-notificacion-2026120100012345",
            },
            {
                "name": "X-JWS-Signature",
                "in": "header",
                "required": True,
                "description": "Firma del Ministerio: JWS compacto desacoplado (RFC 7515 apéndice F) sobre los "
                "bytes del cuerpo. Cabecera protegida: `alg` RS256, `kid`, `typ` sat-notificacion+jws, `cty` json, "
                "`iat`, `aud` (NIT de la CCF) y `jti` (= Idempotency-Key); `x-jws-protected-header` la describe",
                "schema": {"type": "string", "pattern": DETACHED_JWS},
                "x-jws-protected-header": JWS_PROTECTED_HEADER,
            },
        ],
        "requestBody": {
            "required": True,
            "description": "JSON compacto en UTF-8 (`Content-Type: application/json; charset=utf-8`); la firma "
            "cubre estos bytes exactos, así que verifíquela antes de interpretar o reescribir el JSON",
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{NOTIFICATION_SCHEMA}"},
                    "examples": {
                        "tramite": {"summary": "Trámite de afiliación", "value": NOTIFICATION_EXAMPLE},
                        "prueba": {"summary": "Notificación de prueba", "value": TEST_NOTIFICATION_EXAMPLE},
                    },
                }
            },
        },
        "responses": {
            "200": {
                "description": "Acuse de recibo (cualquier 2xx con este cuerpo): el trámite queda NOTIFICADA",
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ACKNOWLEDGEMENT_SCHEMA}"}}},
            },
            "401": _receiver_answer(
                "Token rechazado: el Ministerio pide otro token y reintenta una vez; si sigue, se reintenta según el "
                "calendario (la CCF puede corregir su servicio de token entretanto)"
            ),
            "408": _receiver_answer("Tiempo agotado en la CCF. " + RETRIED),
            "410": _receiver_answer(
                "El servicio ya no existe: el trámite queda FALLIDA y el servicio DISABLED (se reactiva con una "
                "prueba de conexión o una notificación de prueba acusada)"
            ),
            "429": _receiver_answer("Demasiadas solicitudes. " + RETRIED + "; respeta Retry-After", RETRY_AFTER),
            "4XX": _receiver_answer(
                "Rechazo permanente (otro 4xx, p. ej. 400 por firma inválida): FALLIDA, sin reintento"
            ),
            "5XX": _receiver_answer("Error de la CCF. " + RETRIED + "; respeta Retry-After", RETRY_AFTER),
        },
    }
}
NOTIFICATION_TOKEN_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "Token de acceso que emite el servicio de token propio de la CCF (registrado en la parte OAuth "
    "del servicio compartido); el Ministerio lo obtiene con client_credentials (o password) y client_secret_basic",
}


def add_webhooks(document: dict[str, Any]) -> dict[str, str]:
    """The notification webhook, its schemas and its security scheme; returns its tag's display name."""
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})[NOTIFICATION_SCHEMA] = NOTIFICATION
    components["schemas"][ACKNOWLEDGEMENT_SCHEMA] = ACKNOWLEDGEMENT
    components.setdefault("securitySchemes", {})["ccfNotificationToken"] = NOTIFICATION_TOKEN_SCHEME
    document["webhooks"] = {"notificacionTramite": NOTIFICATION_WEBHOOK}
    return {"notificaciones-a-la-ccf": "Notificaciones a la CCF"}
