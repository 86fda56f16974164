"""The REST resolver every API function uses: validation, CORS, size limit and problem+json errors."""

import json
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter  # the resolver or a Router of it
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
    ResponseValidationError,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from sat_common.audit import Actor
from sat_common.auth import Caller, actor_from_event, caller_from_event
from sat_common.dynamo import aws_fault
from sat_common.errors import DomainError, FieldError
from sat_common.i18n import language
from sat_common.json_body import JsonBodyValidation
from sat_common.observability import logger, metrics, tracer
from sat_common.problem import CONTENT_TYPE as PROBLEM_CONTENT_TYPE
from sat_common.problem import problem_body, problem_response
from sat_common.settings import ApiSettings

# Far below API Gateway's 10 MB: no request of this API needs more, and big bodies are an attack surface.
MAX_BODY_BYTES = 64 * 1024
JSON = "application/json"
NO_STORE: Mapping[str, str] = {"Cache-Control": "no-store"}  # personal data and writes: never cached


def create_resolver(settings: ApiSettings | None = None) -> APIGatewayRestResolver:
    """The area's resolver; CORS origins come from the environment unless settings are given."""
    origins = (settings or ApiSettings()).cors_allowed_origins  # type: ignore[call-arg]
    cors = CORSConfig(allow_origin=origins[0], extra_origins=list(origins[1:]), max_age=600) if origins else None
    # A response that breaks its own model is our bug: 500, never a 422 blamed on the client.
    app = APIGatewayRestResolver(enable_validation=True, cors=cors, response_validation_error_http_code=500)
    # Powertools' validation with a body reading that never lets an unreadable body become a 500
    # (sat_common.json_body; docs/security.md "Unreadable request bodies").
    app._request_validation_middleware = JsonBodyValidation()

    def lang() -> str:
        return request_language(app)

    @app.exception_handler(DomainError)
    def _domain(error: DomainError) -> Response:
        return problem_response(error, lang())

    @app.exception_handler(RequestValidationError)
    def _validation(error: RequestValidationError) -> Response:
        field_errors = [
            FieldError(field=_field_name(item.get("loc", ())), key=item.get("type", ""), params=item.get("ctx") or {})
            for item in error.errors()
        ]
        return problem_response(DomainError(code="VALIDATION_FAILED", status=422, errors=field_errors), lang())

    @app.exception_handler(RequestUnsupportedContentType)
    def _media_type(_: RequestUnsupportedContentType) -> Response:
        # Before the generic handler below: Powertools raises it as a NotImplementedError.
        return problem_response(DomainError(code="UNSUPPORTED_MEDIA_TYPE", status=415), lang())

    @app.exception_handler(ResponseValidationError)
    def _bad_response(error: ResponseValidationError) -> Response:
        logger.error("response failed its model", extra={"fields": [str(item.get("loc")) for item in error.errors()]})
        return problem_response(DomainError(code="INTERNAL_ERROR", status=500), lang())

    @app.not_found
    def _not_found(_: Exception) -> Response:
        return problem_response(DomainError(code="NOT_FOUND", status=404), lang())

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        # AWS outages (503 + Retry-After) and permission errors (500 + alarm) are mapped here, once for every
        # route, so handlers and use cases never wrap their calls.
        fault = aws_fault(error)
        if fault is not None:
            return problem_response(fault, lang())
        # The message may carry request data: log the type only, the stack trace stays in the trace.
        logger.error("unexpected error", extra={"errorType": type(error).__name__})
        return problem_response(DomainError(code="INTERNAL_ERROR", status=500), lang())

    return app


# --------------------------------------------------------------------------- route helpers
def json_response(body: Any, status: int = 200, headers: Mapping[str, str] = NO_STORE) -> Response[Any]:
    """A JSON answer (a response model or plain data), not cached unless `headers` say otherwise."""
    return Response(status_code=status, content_type=JSON, body=body, headers=headers)


def no_content(headers: Mapping[str, str] = NO_STORE) -> Response[None]:
    return Response(status_code=204, body=None, headers=headers)


def request_caller(app: BaseRouter) -> Caller:
    """The signed-in person of the current request (claims the Cognito authorizer verified); 401 without."""
    return caller_from_event(app.current_event.raw_event)


def request_actor(app: BaseRouter, caller: Caller | None = None) -> Actor:
    """Who did it, for the audit trail: the caller's username (anonymous without one), source IP, user agent."""
    if caller is None:
        return actor_from_event(app.current_event.raw_event)
    return actor_from_event(app.current_event.raw_event, caller.username)


def request_language(app: BaseRouter) -> str:
    return language(app.current_event.headers)


def _field_name(loc: Any) -> str:
    # Powertools prefixes the location ("body", "query", "path"); clients want the field path itself.
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _too_large(event: dict[str, Any]) -> dict[str, Any] | None:
    """Refuse an oversized body before anything parses it (Powertools validates before user middlewares)."""
    body = event.get("body") or ""
    if len(body.encode()) <= MAX_BODY_BYTES:
        return None
    error = DomainError(code="PAYLOAD_TOO_LARGE", status=413, params={"limit": MAX_BODY_BYTES})
    body_text = problem_body(error.code, error.status, language(event.get("headers")), error.params)
    return {
        "statusCode": 413,
        "headers": {"Content-Type": PROBLEM_CONTENT_TYPE},
        "body": json.dumps(body_text, ensure_ascii=False),
        "isBase64Encoded": False,
    }


def lambda_entry(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """Wrap the resolver in Powertools' logger, metrics and tracer, outermost first. Never log the event."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @metrics.log_metrics(raise_on_empty_metrics=False)
    @tracer.capture_lambda_handler(capture_response=False)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return _too_large(event) or app.resolve(event, context)

    return handler


def configured_base_url(value: str) -> str:
    """The API's public base URL from configuration (PUBLIC_API_BASE_URL, set by the CDK app), checked and
    without a trailing slash. URLs handed to clients are never built from the request's Host header, which
    the client chooses (decision 0054)."""
    from urllib.parse import urlsplit

    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError("PUBLIC_API_BASE_URL must be an absolute http(s) URL without query or fragment")
    return text
