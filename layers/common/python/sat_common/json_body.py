"""How a JSON route reads its request body, so that nothing a client sends can make it answer 5xx.

- Routes with a body model take `application/json` only (a missing Content-Type is read as JSON, RFC 9110
  §8.3): anything else — `text/plain`, forms, multipart — is 415 `UNSUPPORTED_MEDIA_TYPE` before the body
  is parsed, so a form or a "simple" cross-site request can never be taken for a JSON body.
- A body that cannot be read as JSON answers 422 naming `body`: bad syntax, bad base64 or UTF-8, integers
  past Python's 4,300-digit limit, lone UTF-16 surrogates (they cannot be stored or sent back as UTF-8), and
  nesting deeper than MAX_DEPTH (Python's parser raises RecursionError near 1,000 levels; below that a deep
  body would still cost validation work for nothing).

Powertools' request validation middleware is kept (path, query and header validation, the body model); only
its body reading is replaced. Routes without a body model (e.g. the form-encoded /oauth2/token) read their
body themselves and are not affected.
"""

from typing import Any

from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

JSON_MEDIA_TYPE = "application/json"
# DynamoDB stores documents at most 32 levels deep; no body of this API comes near (an OpenAPI document
# registered by the Ministry is the deepest, about 15).
MAX_DEPTH = 32


def media_type(content_type: str | None) -> str:
    """`application/json; charset=utf-8` -> `application/json` ("" when there is no header)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def body_problem(value: Any) -> str | None:
    """The message key (sat_common.i18n.FIELD_MESSAGES) of what makes a parsed body unreadable, or None.
    Iterative: a deep body must not recurse here either."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list) and depth > MAX_DEPTH:
            return "json_too_deep"
        if isinstance(item, dict):
            for key, child in item.items():
                if not _utf8(key):
                    return "json_invalid"
                pending.append((child, depth + 1))
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and not _utf8(item):
            return "json_invalid"
    return None


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unreadable(key: str) -> RequestValidationError:
    ctx = {"max": MAX_DEPTH} if key == "json_too_deep" else {}
    return RequestValidationError([{"type": key, "loc": ("body",), "msg": key, "input": {}, "ctx": ctx}])


class JsonBodyValidation(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation with the body reading described in the module docstring."""

    def _get_body(self, app: Any) -> Any:
        found = media_type(app.current_event.headers.get("content-type"))
        if found and found != JSON_MEDIA_TYPE:
            raise RequestUnsupportedContentType(
                "Unsupported content type",
                errors=[{"type": "unsupported_content_type", "loc": ("body",), "msg": "", "input": {}, "ctx": {}}],
            )
        return self._parse_json_data(app)

    def _parse_json_data(self, app: Any) -> Any:
        try:
            body = app.current_event.json_body
        except RecursionError:
            raise _unreadable("json_too_deep") from None
        except ValueError:  # JSONDecodeError, binascii.Error, UnicodeDecodeError, the int digits limit
            raise _unreadable("json_invalid") from None
        problem = body_problem(body)
        if problem:
            raise _unreadable(problem)
        return body
