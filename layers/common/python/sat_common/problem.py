"""RFC 9457 problem+json rendering."""

import json
from collections.abc import Mapping

from aws_lambda_powertools.event_handler import Response

from sat_common.errors import DomainError, FieldError
from sat_common.i18n import PROBLEMS, SPANISH, field_message, render

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://sat-ccf.minsalud.example/problemas/"


def problem_body(
    code: str,
    status: int,
    lang: str = SPANISH,
    params: Mapping[str, object] | None = None,
    errors: list[FieldError] | None = None,
    extra: Mapping[str, object] | None = None,
) -> dict[str, object]:
    title, detail = PROBLEMS.get(code, PROBLEMS["INTERNAL_ERROR"])[lang]
    body: dict[str, object] = {
        "type": TYPE_BASE + code.lower().replace("_", "-"),
        "title": title,
        "status": status,
        "detail": render(detail, params, lang),  # times in Colombian time; `extra` keeps them RFC 3339
        "code": code,
    }
    if errors:
        body["errors"] = [
            {"field": error.field, "message": field_message(error.key, error.params, lang)} for error in errors
        ]
    body.update(extra or {})
    return body


def problem_response(error: DomainError, lang: str = SPANISH) -> Response:
    body = problem_body(error.code, error.status, lang, error.params, error.errors, error.extra)
    return Response(
        status_code=error.status,
        content_type=CONTENT_TYPE,
        body=json.dumps(body, ensure_ascii=False),
        headers=dict(error.headers),
    )
