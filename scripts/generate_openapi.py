"""Build the API's OpenAPI 3.1 document from every function's resolver.

Writes docs/openapi.json (committed; the catalog function serves it through a symlink). `--check` exits 1
when either committed file is stale; a test runs it.
"""

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "layers/common/python")]

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge  # noqa: E402
from aws_lambda_powertools.event_handler.openapi.models import Server  # noqa: E402

from infra.api_routes import API_FUNCTIONS, ROUTES  # noqa: E402
from scripts import openapi_contract  # noqa: E402

# The one committed copy; the catalog function serves it through a symlink (functions/catalog/openapi.json) that
# the asset follows at synth (decision 0110).
OUTPUTS = (ROOT / "docs/openapi.json",)
DESCRIPTION = (
    "API de la funcionalidad «Administración de Servicios Web Externos» del SAT para las Cajas de "
    "Compensación Familiar. Errores en application/problem+json (RFC 9457), en español; "
    "en inglés con `Accept-Language: en`."
)


def build() -> str:
    # Handlers read typed settings at import; documentation needs no real resources.
    os.environ.setdefault("STAGE", "docs")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "openapi")
    merge = OpenAPIMerge(
        title="SAT CCF - Administración de Servicios Web Externos",
        version="1.0.0",
        description=DESCRIPTION,
        servers=[Server(url="/")],
        on_conflict="error",
    )
    for area in API_FUNCTIONS:
        module = importlib.import_module(f"{area}.handler")
        merge.add_schema(module.app.get_openapi_schema())
    document = openapi_contract.apply(describe_errors_and_security(json.loads(merge.get_openapi_json_schema())))
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; messages in Spanish (English with Accept-Language: en)",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "stable machine-readable code"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
PROBLEM_RESPONSE = {
    "description": "Error (problem+json)",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
HTML_RESPONSE = {"description": "Swagger UI (HTML)", "content": {"text/html": {"schema": {"type": "string"}}}}
HTML_OR_JSON_RESPONSE = {
    "description": "Swagger UI (HTML), or the OpenAPI document with format=json",
    "content": {"text/html": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}}},
}
OAUTH_ERROR_RESPONSE = {
    "description": "Error OAuth 2.0 (RFC 6749 §5.2)",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
            }
        }
    },
}
GENERATED_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


TOKEN_REQUEST_BODY = {
    "required": True,
    "description": "RFC 6749 §4.4 (client_credentials; the client may authenticate with HTTP Basic instead of "
    "client_id/client_secret) or the legacy §4.3 password grant (username = NIT of the CCF)",
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["grant_type"],
                "properties": {
                    "grant_type": {"type": "string", "enum": ["client_credentials", "password"]},
                    "client_id": {"type": "string"},
                    "client_secret": {"type": "string", "format": "password"},
                    "username": {"type": "string"},
                    "password": {"type": "string", "format": "password"},
                    "scope": {"type": "string"},
                },
            },
            "examples": {
                "clientSecretBasic": {
                    "summary": "client_credentials; Client ID y contraseña de consumo en Authorization: Basic",
                    "value": {"grant_type": "client_credentials"},
                },
                "clientSecretPost": {
                    "summary": "client_credentials con las credenciales en el formulario",
                    "value": {
                        "grant_type": "client_credentials",
                        "client_id": "4u7f2k1l9s0q3m5n8p6r2t4v1x",
                        "client_secret": "Andina#Consumo-2026",
                    },
                },
            },
        }
    },
}


def describe_errors_and_security(document: dict) -> dict:
    """Errors are problem+json, not Powertools' default shape; person routes need the Cognito bearer token."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in GENERATED_ERROR_SCHEMAS:
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    protected = {(route.method.lower(), route.path) for route in ROUTES if route.auth == "person"}
    ccf_system = {(route.method.lower(), route.path) for route in ROUTES if route.auth == "ccf_system"}
    if protected:
        components.setdefault("securitySchemes", {})["cognito"] = {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Token de Cognito obtenido con POST /sessions",
        }
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = PROBLEM_RESPONSE
            if "500" in responses:  # Powertools' "Response Validation Error" points at a schema removed above
                responses["500"] = PROBLEM_RESPONSE
            responses["default"] = PROBLEM_RESPONSE
            if path.endswith("/docs") and "200" in responses:  # Swagger UI pages are HTML
                responses["200"] = HTML_RESPONSE
                if any(param.get("name") == "format" for param in operation.get("parameters", [])):
                    responses["200"] = HTML_OR_JSON_RESPONSE  # ?format=json: the OpenAPI document itself
            if path == "/oauth2/token":  # RFC 6749 §5.2: token errors are application/json, not problem+json
                responses.update({status: OAUTH_ERROR_RESPONSE for status in ("400", "401", "429")})
                operation["requestBody"] = TOKEN_REQUEST_BODY  # the handler reads the form itself
            if (method, path) in protected:
                operation["security"] = [{"cognito": []}]
            elif (method, path) in ccf_system:
                operation["security"] = [{"satToken": []}]
    return document


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when a committed file is stale")
    args = parser.parse_args()
    text = build()
    stale = [path for path in OUTPUTS if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)} (run: make openapi)")
        return 1 if stale else 0
    for path in stale:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
