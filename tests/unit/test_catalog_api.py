"""The public catalog routes, called through the function's real entry point."""

import json

import pytest

from catalog.handler import lambda_handler
from tests.conftest import api_event


def call(lambda_context, method, path, **kwargs):
    response = lambda_handler(api_event(method, path, **kwargs), lambda_context)
    body = response["body"]
    headers = {key: values[-1] for key, values in (response.get("multiValueHeaders") or {}).items()}
    headers.update(response.get("headers") or {})
    content_type = headers.get("Content-Type", "")
    return response["statusCode"], content_type, (json.loads(body) if "json" in content_type else body)


def catalog(lambda_context, name, **kwargs):
    return call(
        lambda_context,
        "GET",
        f"/catalogs/{name}",
        resource="/catalogs/{catalog}",
        path_parameters={"catalog": name},
        **kwargs,
    )


def test_health_answers_ok(lambda_context):
    status, _, body = call(lambda_context, "GET", "/health")
    assert status == 200
    assert body["status"] == "ok"


def test_departments_are_the_33_divipola_entries(lambda_context):
    status, _, body = catalog(lambda_context, "departments")
    assert status == 200
    assert body["count"] == 33 == len(body["items"])
    assert {"code": "05", "name": "Antioquia"}.items() <= body["items"][0].items() or any(
        item["code"] == "05" for item in body["items"]
    )
    assert body["source"]


def test_municipalities_filter_by_department(lambda_context):
    status, _, everything = catalog(lambda_context, "municipalities")
    assert status == 200 and everything["count"] == 1121
    status, _, antioquia = catalog(lambda_context, "municipalities", query={"department": "05"})
    assert status == 200
    assert 0 < antioquia["count"] < 1121
    assert {item["departmentCode"] for item in antioquia["items"]} == {"05"}
    assert any(item["code"] == "05001" for item in antioquia["items"])  # Medellín


@pytest.mark.parametrize(
    "name",
    ["document-types", "zones", "ciiu", "arl", "pila-operators", "contributor-types", "company-types"],
)
def test_every_public_catalog_has_items_and_a_source(lambda_context, name):
    status, _, body = catalog(lambda_context, name)
    assert status == 200
    assert body["count"] == len(body["items"]) > 0
    assert all(item["code"] and item["name"] for item in body["items"])


def test_unknown_catalog_is_404_problem_in_spanish(lambda_context):
    status, content_type, body = catalog(lambda_context, "planetas")
    assert status == 404
    assert content_type == "application/problem+json"
    assert body["code"] == "CATALOG_NOT_FOUND"
    assert body["title"] == "Catálogo no encontrado"
    assert "planetas" in body["detail"]


def test_english_when_asked(lambda_context):
    status, _, body = catalog(lambda_context, "planetas", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert status == 404
    assert body["title"] == "Catalog not found"


def test_internal_catalogs_are_not_served(lambda_context):
    status, _, _ = catalog(lambda_context, "eps")
    assert status == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"department": "5"}, "department"),
        ({"department": "10"}, "department"),  # no DIVIPOLA department 10
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_query_is_422_naming_the_field(lambda_context, query, field):
    status, content_type, body = catalog(lambda_context, "municipalities", query=query)
    assert status == 422
    assert content_type == "application/problem+json"
    assert body["code"] == "VALIDATION_FAILED"
    assert [error["field"] for error in body["errors"]] == [field]
    assert body["errors"][0]["message"]


def test_department_filter_on_another_catalog_is_422(lambda_context):
    status, _, body = catalog(lambda_context, "arl", query={"department": "05"})
    assert status == 422
    assert body["errors"][0]["message"] == "Este filtro solo aplica al catálogo de municipios."


def test_oversized_body_is_413(lambda_context):
    status, _, body = call(lambda_context, "GET", "/health", body="x" * (64 * 1024 + 1))
    assert status == 413
    assert body["code"] == "PAYLOAD_TOO_LARGE"


def test_openapi_document_lists_the_routes(lambda_context):
    status, _, body = call(lambda_context, "GET", "/openapi.json")
    assert status == 200
    assert body["openapi"].startswith("3.1")
    assert {"/health", "/catalogs/{catalog}", "/openapi.json", "/docs"} <= set(body["paths"])


def test_docs_page_is_swagger_ui_with_inline_assets(lambda_context):
    status, content_type, html = call(lambda_context, "GET", "/docs")
    assert status == 200
    assert content_type.startswith("text/html")
    assert "SwaggerUIBundle" in html
    assert "<script src=" not in html  # no CDN
    assert '"/catalogs/{catalog}"' in html
