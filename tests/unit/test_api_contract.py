"""The route table, the resolvers and the committed OpenAPI document agree."""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

from infra.api_routes import API_FUNCTIONS, ROUTES

ROOT = Path(__file__).resolve().parents[2]


def resolver_routes(area: str) -> set[tuple[str, str]]:
    app = importlib.import_module(f"{area}.handler").app
    paths = app.get_openapi_schema().paths or {}
    return {(method.upper(), path) for path, item in paths.items() for method in item.model_dump(exclude_none=True)}


def test_route_table_equals_what_the_resolvers_serve():
    for area in API_FUNCTIONS:
        declared = {(route.method, route.path) for route in ROUTES if route.function == area}
        assert resolver_routes(area) == declared, area


def test_paths_use_api_gateway_syntax():
    for route in ROUTES:
        assert route.path.startswith("/")
        assert not re.search(r"<|>", route.path)


def test_committed_openapi_is_fresh():
    result = subprocess.run(
        [sys.executable, "scripts/generate_openapi.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_openapi_is_valid_openapi_31():
    """A document tools accept: openapi-spec-validator finds no error (e.g. a response without description)."""
    import json

    from openapi_spec_validator import validate

    validate(json.loads((ROOT / "docs/openapi.json").read_text(encoding="utf-8")))


def test_committed_openapi_lints_clean_with_redocly():
    """Redocly's recommended-strict rules (redocly.yaml): 0 errors, warnings included; `make test` installs it."""
    redocly = ROOT / "node_modules/.bin/redocly"
    assert redocly.exists(), "Redocly CLI missing: run `npm ci` (make test does)"
    result = subprocess.run(
        [str(redocly), "lint", "docs/openapi.json", "--format=stylish"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_contract_names_real_routes_and_codes():
    """The errors the document promises name routes of the table and codes the API has (sat_common.i18n)."""
    from sat_common.i18n import PROBLEMS
    from scripts import openapi_contract

    routes = {f"{route.method} {route.path}" for route in ROUTES}
    for route, statuses in openapi_contract.ROUTE_PROBLEMS.items():
        assert route in routes, route
        for codes in statuses.values():
            assert set(codes) <= set(PROBLEMS), (route, set(codes) - set(PROBLEMS))


def test_operations_have_short_unique_ids_and_ascii_tags():
    import json

    document = json.loads((ROOT / "docs/openapi.json").read_text(encoding="utf-8"))
    operations = [op for item in document["paths"].values() for op in item.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]{1,40}", op_id) for op_id in ids), ids
    assert all(re.fullmatch(r"[a-z0-9-]+", tag) for op in operations for tag in op["tags"])
    pull = document["paths"]["/sat/solicitud-afiliacion"]["post"]["responses"]["200"]["content"]
    assert list(pull) == ["application/jose"]


def test_service_documents_agree_with_the_api():
    """Each catalog service's own OpenAPI document (what a CCF downloads from §6) promises only what the API
    answers: its operation exists, its statuses are documented by the API, its 200 has the API's media types."""
    import json

    api = json.loads((ROOT / "docs/openapi.json").read_text(encoding="utf-8"))["paths"]
    services = json.loads((ROOT / "local/seed/services.json").read_text(encoding="utf-8"))["services"]
    for service in services:
        for path, operations in service["openapi"]["paths"].items():
            for method, operation in operations.items():
                documented = api[path][method]["responses"]
                assert set(operation["responses"]) <= set(documented), (service["code"], path)
                assert set(operation["responses"]["200"]["content"]) == set(documented["200"]["content"]), path


# --------------------------------------------------------------------------- request examples and webhooks
# The modules whose pydantic models are request bodies; their `examples` (model_config json_schema_extra) are the
# document's request examples (decision 0110).
REQUEST_MODEL_MODULES = (
    "catalog.models",
    "delegation.models",
    "exchange.models",
    "registration.models",
    "registration.operator_models",
    "share.models",
)


def _document() -> dict:
    import json

    return json.loads((ROOT / "docs/openapi.json").read_text(encoding="utf-8"))


def _schema_errors(document: dict, schema: dict, value: object) -> list[str]:
    """jsonschema (2020-12, formats checked) errors of `value` against a schema of the document ($refs resolved)."""
    from jsonschema import Draft202012Validator, FormatChecker

    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": document["components"], **schema}
    validator = Draft202012Validator(root, format_checker=FormatChecker())
    return [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(value)]


def _request_bodies(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (f"{method.upper()} {path}", media_type, media)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items()
    ]


def test_every_request_body_has_an_example_that_validates_against_its_schema():
    """Swagger UI, Postman and generated clients show these; an example the API would refuse misleads a CCF."""
    document = _document()
    bodies = _request_bodies(document)
    assert len(bodies) >= 30
    for operation, _media_type, media in bodies:
        examples = [example["value"] for example in media.get("examples", {}).values()]
        assert examples, f"{operation}: no request example"
        for example in examples:
            assert _schema_errors(document, media["schema"], example) == [], (operation, example)


def test_request_examples_pass_the_handlers_own_validation():
    """Beyond the schema: check digits, catalogs, DIVIPOLA pairs, phone numbers, dates — what the 422 checks."""
    import json

    from pydantic import BaseModel

    models: dict[str, type[BaseModel]] = {}
    for name in REQUEST_MODEL_MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                models[attribute] = value
    referenced = {
        media["schema"]["$ref"].rsplit("/", 1)[-1]
        for _, _, media in _request_bodies(_document())
        if "$ref" in media["schema"]
    }
    assert referenced <= set(models), referenced - set(models)
    for name in sorted(referenced):
        examples = models[name].model_json_schema().get("examples", [])
        assert examples, name
        for example in examples:
            models[name].model_validate_json(json.dumps(example))  # raises on a refused example


def test_the_notification_webhook_is_documented():
    """OpenAPI 3.1 `webhooks`: the signed notification a CCF's service receives and how it must acknowledge."""
    document = _document()
    webhook = document["webhooks"]["notificacionTramite"]["post"]
    assert webhook["security"] == [{"ccfNotificationToken": []}]
    assert document["components"]["securitySchemes"]["ccfNotificationToken"]["scheme"] == "bearer"
    parameters = {parameter["name"]: parameter for parameter in webhook["parameters"]}
    assert set(parameters) == {"Idempotency-Key", "X-JWS-Signature"}
    assert all(parameter["in"] == "header" and parameter["required"] for parameter in parameters.values())
    header = parameters["X-JWS-Signature"]["x-jws-protected-header"]
    assert set(header["required"]) == {"alg", "kid", "typ", "cty", "iat", "aud", "jti"}
    assert header["properties"]["typ"]["const"] == "sat-notificacion+jws"
    assert header["properties"]["alg"]["const"] == "RS256"
    # What decides retry or failure (decision 0105) is documented per status.
    assert {"200", "401", "408", "410", "429", "4XX", "5XX"} <= set(webhook["responses"])
    assert "Retry-After" in webhook["responses"]["429"]["headers"]
    media = webhook["requestBody"]["content"]["application/json"]
    examples = {name: example["value"] for name, example in media["examples"].items()}
    assert examples["prueba"]["codigo_novedad"] == "PRUEBA"
    for example in examples.values():
        assert _schema_errors(document, media["schema"], example) == []
    ack = webhook["responses"]["200"]["content"]["application/json"]["schema"]
    assert _schema_errors(document, ack, {"numero_transaccion": examples["tramite"]["numero_transaccion"]}) == []
    assert _schema_errors(document, ack, {"estado": "RECIBIDA"}), "an answer without the number is no acknowledgement"


def test_the_webhook_body_schema_is_the_workers_body():
    """The documented fields are those sat_common.tramites.notification_body writes, no more and no fewer."""
    from sat_common import tramites

    item = {
        "numeroTransaccion": "2026120100012345",
        "codigoNovedad": "AFI",
        "fechaCreacion": "2026-12-01T14:05:09.123+00:00",
        "fechaVigencia": "2026-12-31",
        "pullUrl": "https://api.example/sat/solicitud-afiliacion",
    }
    document = _document()
    body = tramites.notification_body(item)
    schema = document["components"]["schemas"]["NotificacionTramite"]
    assert set(body) == set(schema["properties"]) == set(schema["required"])
    assert _schema_errors(document, {"$ref": "#/components/schemas/NotificacionTramite"}, body) == []
