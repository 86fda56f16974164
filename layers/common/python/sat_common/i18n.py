"""Texts that end users read: Spanish by default, English when the request asks for it."""

from collections.abc import Mapping

SPANISH = "es"
ENGLISH = "en"


def language(headers: Mapping[str, str] | None) -> str:
    """Pick the answer language from Accept-Language: English only when it is preferred over Spanish."""
    for key, value in (headers or {}).items():
        if key.lower() == "accept-language" and value:
            for part in value.split(","):
                tag = part.split(";")[0].strip().lower()
                if tag.startswith(ENGLISH):
                    return ENGLISH
                if tag.startswith(SPANISH):
                    return SPANISH
    return SPANISH


# code -> language -> (title, detail). Details may hold str.format placeholders.
PROBLEMS: dict[str, dict[str, tuple[str, str]]] = {
    "VALIDATION_FAILED": {
        SPANISH: ("Datos inválidos", "Uno o más campos no son válidos. Revise la lista de errores."),
        ENGLISH: ("Invalid data", "One or more fields are not valid. See the list of errors."),
    },
    "NOT_FOUND": {
        SPANISH: ("Recurso no encontrado", "El recurso solicitado no existe."),
        ENGLISH: ("Resource not found", "The requested resource does not exist."),
    },
    "CATALOG_NOT_FOUND": {
        SPANISH: ("Catálogo no encontrado", "El catálogo '{catalog}' no existe. Catálogos disponibles: {available}."),
        ENGLISH: ("Catalog not found", "The catalog '{catalog}' does not exist. Available catalogs: {available}."),
    },
    "METHOD_NOT_ALLOWED": {
        SPANISH: ("Método no permitido", "El método HTTP no está permitido para este recurso."),
        ENGLISH: ("Method not allowed", "The HTTP method is not allowed for this resource."),
    },
    "UNAUTHENTICATED": {
        SPANISH: ("No autenticado", "Debe iniciar sesión para usar este recurso."),
        ENGLISH: ("Not authenticated", "You must sign in to use this resource."),
    },
    "FORBIDDEN": {
        SPANISH: ("Acceso denegado", "No tiene permiso para realizar esta acción."),
        ENGLISH: ("Access denied", "You are not allowed to perform this action."),
    },
    "PAYLOAD_TOO_LARGE": {
        SPANISH: ("Solicitud demasiado grande", "El cuerpo de la solicitud supera el tamaño máximo de {limit} bytes."),
        ENGLISH: ("Request too large", "The request body exceeds the maximum size of {limit} bytes."),
    },
    "SERVICE_UNAVAILABLE": {
        SPANISH: ("Servicio no disponible", "El servicio no está disponible en este momento. Intente de nuevo más tarde."),
        ENGLISH: ("Service unavailable", "The service is not available right now. Please try again later."),
    },
    "INTERNAL_ERROR": {
        SPANISH: ("Error interno", "Ocurrió un error inesperado. Intente de nuevo más tarde."),
        ENGLISH: ("Internal error", "An unexpected error occurred. Please try again later."),
    },
}

# pydantic error type -> language -> message (placeholders from the error's ctx).
FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "missing": {SPANISH: "Este campo es obligatorio.", ENGLISH: "This field is required."},
    "extra_forbidden": {SPANISH: "Este campo no está permitido.", ENGLISH: "This field is not allowed."},
    "string_type": {SPANISH: "Debe ser un texto.", ENGLISH: "Must be a string."},
    "string_too_short": {
        SPANISH: "Debe tener al menos {min_length} caracteres.",
        ENGLISH: "Must have at least {min_length} characters.",
    },
    "string_too_long": {
        SPANISH: "Debe tener como máximo {max_length} caracteres.",
        ENGLISH: "Must have at most {max_length} characters.",
    },
    "string_pattern_mismatch": {SPANISH: "El formato no es válido.", ENGLISH: "The format is not valid."},
    "int_parsing": {SPANISH: "Debe ser un número entero.", ENGLISH: "Must be an integer."},
    "int_type": {SPANISH: "Debe ser un número entero.", ENGLISH: "Must be an integer."},
    "bool_type": {SPANISH: "Debe ser verdadero o falso.", ENGLISH: "Must be true or false."},
    "bool_parsing": {SPANISH: "Debe ser verdadero o falso.", ENGLISH: "Must be true or false."},
    "greater_than_equal": {SPANISH: "Debe ser mayor o igual a {ge}.", ENGLISH: "Must be greater than or equal to {ge}."},
    "less_than_equal": {SPANISH: "Debe ser menor o igual a {le}.", ENGLISH: "Must be less than or equal to {le}."},
    "literal_error": {SPANISH: "Valor no permitido. Opciones: {expected}.", ENGLISH: "Value not allowed. Options: {expected}."},
    "enum": {SPANISH: "Valor no permitido. Opciones: {expected}.", ENGLISH: "Value not allowed. Options: {expected}."},
    "date_from_datetime_parsing": {
        SPANISH: "Debe ser una fecha con formato AAAA-MM-DD.",
        ENGLISH: "Must be a date formatted YYYY-MM-DD.",
    },
    "date_parsing": {SPANISH: "Debe ser una fecha con formato AAAA-MM-DD.", ENGLISH: "Must be a date formatted YYYY-MM-DD."},
    "date_type": {SPANISH: "Debe ser una fecha con formato AAAA-MM-DD.", ENGLISH: "Must be a date formatted YYYY-MM-DD."},
    "value_error": {SPANISH: "{error}", ENGLISH: "{error}"},
    "json_invalid": {SPANISH: "El cuerpo no es un JSON válido.", ENGLISH: "The body is not valid JSON."},
    "model_attributes_type": {SPANISH: "Debe ser un objeto JSON.", ENGLISH: "Must be a JSON object."},
    "dict_type": {SPANISH: "Debe ser un objeto JSON.", ENGLISH: "Must be a JSON object."},
    "list_type": {SPANISH: "Debe ser una lista.", ENGLISH: "Must be a list."},
    "unknown_query_parameter": {
        SPANISH: "Parámetro de consulta no permitido.",
        ENGLISH: "Query parameter not allowed.",
    },
    "filter_not_applicable": {
        SPANISH: "Este filtro solo aplica al catálogo de municipios.",
        ENGLISH: "This filter only applies to the municipalities catalog.",
    },
    "unknown_department": {
        SPANISH: "No es un código DIVIPOLA de departamento.",
        ENGLISH: "Not a DIVIPOLA department code.",
    },
}
FALLBACK_FIELD_MESSAGE = {SPANISH: "El valor no es válido.", ENGLISH: "The value is not valid."}


def field_message(error_type: str, ctx: Mapping[str, object] | None, lang: str) -> str:
    template = FIELD_MESSAGES.get(error_type, FALLBACK_FIELD_MESSAGE)[lang]
    try:
        return template.format(**{key: _plain(value) for key, value in (ctx or {}).items()})
    except (KeyError, IndexError):
        return FALLBACK_FIELD_MESSAGE[lang]


def _plain(value: object) -> str:
    return str(value)
