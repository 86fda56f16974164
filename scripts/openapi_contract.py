"""What tools need from the API's OpenAPI document beyond what the resolvers generate.

Applied by scripts/generate_openapi.py to the merged document: short stable operationIds (the handler's function
name in camelCase), ASCII tags with the Spanish names in `x-displayName`, `security: []` on public routes, the CCF
systems' OAuth 2.0 client-credentials scheme with its token URL, the errors each operation can answer with their
problem codes (from the route's authorizer, its path parameters and ROUTE_PROBLEMS), and the pull's JWE body.
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
    document["tags"] = [
        {"name": name, "x-displayName": display, "description": display}
        for name, display in sorted(display_names.items())
    ]
    document["info"]["contact"] = HELP_DESK
    document["info"]["license"] = LICENSE
    return document


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
