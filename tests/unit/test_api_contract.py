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
