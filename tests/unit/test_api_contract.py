"""The route table, the resolvers and the committed OpenAPI document agree."""

import importlib
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
