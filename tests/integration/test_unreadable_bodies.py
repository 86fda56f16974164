"""Bodies the API cannot read never answer 5xx, in every function (sat_common.json_body, docs/security.md
"Unreadable request bodies"): each JSON route of every function's real lambda_handler gets a `text/plain`
body (415 UNSUPPORTED_MEDIA_TYPE) and JSON nested 30,000 deep (422 naming `body`); every other write route
answers a non-5xx to them too. Runs under moto so that a request that got further could not reach AWS."""

import base64
import importlib
import json
from functools import cache
from typing import Any

import pytest

from infra.api_routes import API_FUNCTIONS, ROUTES
from tests.conftest import FakeContext, api_event

# A valid value of each path parameter, so that only the body can be wrong.
PATH_VALUES = {
    "nit": "123456789",
    "serviceId": "solicitud-afiliacion",
    "registrationId": "0" * 32,
    "authorizationId": "01JD0000000000000000000000",
    "sharedServiceId": "01JD0000000000000000000000",
    "numeroTransaccion": "20261120000001",
    "catalog": "zones",
}
DEEP = "[" * 30_000 + "]" * 30_000
CLAIMS = {"cognito:username": "CC-1020304050", "sub": "00000000-0000-0000-0000-000000000001"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@cache
def handler_module(area: str) -> Any:
    return importlib.import_module(f"{area}.handler")


def takes_json(route: Any) -> bool:
    app = handler_module(route.function).app
    item = (app.get_openapi_schema().paths or {})[route.path]
    operation = getattr(item, route.method.lower())
    return bool(operation.requestBody and "application/json" in operation.requestBody.content)


def json_routes() -> list[Any]:
    return [route for route in ROUTES if route.method in WRITE_METHODS and takes_json(route)]


def call(
    route: Any,
    body: str,
    content_type: str,
    lang: str | None = None,
    base64_body: bool = False,
    claims: dict[str, str] | None = CLAIMS,
) -> Any:
    path = route.path
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    headers = {"Content-Type": content_type, **({"Accept-Language": lang} if lang else {})}
    event = api_event(route.method, path, resource=route.path, body=body, headers=headers, claims=claims)
    event["pathParameters"] = {
        name: value for name, value in PATH_VALUES.items() if "{" + name + "}" in route.path
    } or None
    if base64_body:
        event["isBase64Encoded"] = True
    response = handler_module(route.function).lambda_handler(event, FakeContext())
    headers = {key: values[-1] for key, values in (response.get("multiValueHeaders") or {}).items()}
    headers.update(response.get("headers") or {})
    return response["statusCode"], headers, json.loads(response.get("body") or "null")


def route_id(route: Any) -> str:
    return f"{route.function}:{route.method} {route.path}"


@pytest.fixture(autouse=True)
def _aws(moto):
    yield


def test_every_function_with_json_bodies_is_covered():
    covered = {route.function for route in json_routes()}
    assert covered >= {"registration", "delegation", "catalog", "share", "exchange"}, covered
    assert covered <= set(API_FUNCTIONS)


@pytest.mark.parametrize("route", json_routes(), ids=route_id)
def test_a_text_plain_body_is_415_problem_json(route):
    status, headers, body = call(route, json.dumps({"name": "x"}), "text/plain")
    assert status == 415, body
    assert headers.get("Content-Type") == "application/problem+json"
    assert body["code"] == "UNSUPPORTED_MEDIA_TYPE" and "application/json" in body["detail"]
    assert body["title"] == "Tipo de contenido no admitido"
    assert call(route, "{}", "text/plain", lang="en")[2]["title"] == "Unsupported media type"


@pytest.mark.parametrize("route", json_routes(), ids=route_id)
def test_json_nested_30000_deep_is_422_naming_the_body(route):
    status, headers, body = call(route, DEEP, "application/json")
    assert status == 422, body
    assert headers.get("Content-Type") == "application/problem+json"
    assert body["code"] == "VALIDATION_FAILED"
    assert body["errors"] == [{"field": "body", "message": "El JSON tiene más de 32 niveles de anidamiento."}]


@pytest.mark.parametrize(
    ("content_type", "body", "base64_body"),
    [
        ("application/x-www-form-urlencoded", "decision=APPROVE", False),
        ("multipart/form-data", "no boundary", False),  # Powertools raised ValueError (500) here
        ("multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--', False),
        ("application/xml", "<a/>", False),
    ],
)
def test_other_media_types_are_415_on_every_function(content_type, body, base64_body):
    by_function = {route.function: route for route in json_routes()}
    for route in by_function.values():
        assert call(route, body, content_type, base64_body=base64_body)[0] == 415, route_id(route)


@pytest.mark.parametrize(
    ("raw", "base64_body", "message"),
    [
        ("1" + "0" * 5000, False, "El cuerpo no es un JSON válido."),  # past Python's int digit limit
        ('{"name": "\\ud800"}', False, "El cuerpo no es un JSON válido."),  # a lone surrogate cannot be UTF-8
        ('{"\\udfff": 1}', False, "El cuerpo no es un JSON válido."),
        ("%%%not base64", True, "El cuerpo no es un JSON válido."),
        (base64.b64encode(b'{"a": "\xff"}').decode(), True, "El cuerpo no es un JSON válido."),  # not UTF-8
        ('{"a": ' * 33 + "1" + "}" * 33, False, "El JSON tiene más de 32 niveles de anidamiento."),
        ("{not json", False, "El cuerpo no es un JSON válido."),
    ],
)
def test_unreadable_json_is_422_on_every_function(raw, base64_body, message):
    by_function = {route.function: route for route in json_routes()}
    for route in by_function.values():
        status, _headers, body = call(route, raw, "application/json; charset=utf-8", base64_body=base64_body)
        assert (status, body.get("errors")) == (422, [{"field": "body", "message": message}]), route_id(route)


def test_32_levels_are_still_read():
    """The bound is on nesting only: a body 32 levels deep reaches the model (which refuses it as usual)."""
    route = next(route for route in json_routes() if route.path == "/employers")
    status, _headers, body = call(route, '{"a": ' * 31 + "[1]" + "}" * 31, "application/json")
    assert status == 422 and {error["field"] for error in body["errors"]} >= {"a", "nit"}


@pytest.mark.parametrize(
    "route", [route for route in ROUTES if route.method in WRITE_METHODS and not takes_json(route)], ids=route_id
)
def test_write_routes_without_a_json_body_never_answer_5xx_to_them(route):
    """They read no body (or, /oauth2/token, their own form): whatever arrives, the answer is not a 5xx.
    Anonymous (what reaches them without the authorizer's claims), as the functions have no resources here."""
    for raw, content_type in ((DEEP, "application/json"), ('{"a": 1}', "text/plain"), ("a=1", "multipart/form-data")):
        status, _headers, body = call(route, raw, content_type, claims=None)
        assert status < 500, (route_id(route), content_type, body)
