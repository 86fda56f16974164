"""OpenAPI 3 documents of the Ministry's services: validated on the way in, served with the CCF's URLs."""

from typing import Any

from sat_common.errors import DomainError, FieldError

SAT_PREFIX = "/sat/"
# The /sat authorizer writes the service's path into an IAM-style policy resource, where `*` and `?` are
# wildcards: a path with them would open other routes to the service's tokens (decision 0054).
WILDCARDS = frozenset("*?")


def validate(document: dict[str, Any], operation: str) -> str:
    """Validate an OpenAPI 3.0/3.1 document; return the /sat/... path that has `operation`. 422 otherwise."""
    from openapi_spec_validator import validate as validate_spec
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    version = str(document.get("openapi", ""))
    if not version.startswith("3."):
        raise _invalid("openapi_version")
    try:
        validate_spec(document)  # picks the 3.0 or 3.1 validator from the "openapi" field
    except OpenAPIValidationError as error:
        raise _invalid("openapi_invalid", error=str(getattr(error, "message", error))[:200]) from error
    except Exception as error:  # unresolvable $ref and similar: still the client's document
        raise _invalid("openapi_invalid", error=type(error).__name__) from error
    wild = sorted(str(path) for path in (document.get("paths") or {}) if WILDCARDS & set(str(path)))
    if wild:
        raise _invalid("openapi_path_wildcard", path=wild[0][:100])
    method = operation.lower()
    paths = [
        path
        for path, item in (document.get("paths") or {}).items()
        if path.startswith(SAT_PREFIX) and isinstance(item, dict) and method in item
    ]
    if len(paths) != 1:
        raise _invalid("openapi_operation", operation=operation)
    return paths[0]


def for_ccf(document: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The stored document with this deployment's server URL and the bearer-token scheme."""
    served = dict(document)
    served["servers"] = [{"url": base_url or "/", "description": "SAT - Mi Seguridad Social"}]
    components = dict(served.get("components") or {})
    schemes = dict(components.get("securitySchemes") or {})
    schemes.setdefault(
        "satToken",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Token de POST /oauth2/token (Client ID del servicio + contraseña asignada)",
        },
    )
    components["securitySchemes"] = schemes
    served["components"] = components
    served.setdefault("security", [{"satToken": []}])
    return served


def _invalid(key: str, **params: object) -> DomainError:
    return DomainError(code="INVALID_OPENAPI", status=422, errors=[FieldError("openapi", key, params)])
