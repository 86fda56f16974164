"""Public routes of the platform: health, this API's OpenAPI document and Swagger UI, the reference catalogs."""

import json
from functools import cache
from importlib import resources
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from catalog import reference_catalogs
from catalog.models import CatalogPage, Health
from sat_common.api import json_response
from sat_common.errors import FieldError, invalid
from sat_common.settings import ApiSettings

router = Router()
settings = ApiSettings()  # type: ignore[call-arg]

CACHEABLE = {"Cache-Control": "public, max-age=3600"}
CATALOG_QUERY = {"department"}


@router.get("/health", summary="Estado del servicio", tags=["Plataforma"])
def health() -> Health:
    return Health(status="ok", service=settings.powertools_service_name, stage=settings.stage)


@router.get("/catalogs/<catalog>", summary="Catálogo de referencia", tags=["Catálogos"])
def get_catalog(
    catalog: Annotated[str, Path(max_length=40, description="Nombre del catálogo, p. ej. departments")],
    department: Annotated[
        str | None, Query(pattern=r"^\d{2}$", description="Código DIVIPOLA del departamento (solo municipalities)")
    ] = None,
) -> Response[CatalogPage]:
    unknown = set(router.current_event.query_string_parameters or {}) - CATALOG_QUERY
    if unknown:
        raise invalid([FieldError(name[:40], "unknown_query_parameter") for name in sorted(unknown)])
    page = CatalogPage.model_validate(reference_catalogs.catalog_page(catalog, department))
    return json_response(page, headers=CACHEABLE)


@router.get("/openapi.json", summary="Documento OpenAPI 3.1 de esta API", tags=["Plataforma"], include_in_schema=True)
def openapi_document() -> Response[dict[str, Any]]:
    return json_response(_openapi(), headers=CACHEABLE)


@router.get("/docs", summary="Swagger UI de esta API", tags=["Plataforma"])
def docs(
    format: Annotated[str | None, Query(pattern="^json$", description="json: el documento en vez de la página")] = None,
) -> Response[Any]:
    if format == "json":  # Swagger UI's own download link points here
        return openapi_document()
    from sat_common.swagger import swagger_page  # 1.4 MB of inlined assets: only this route pays for them

    return Response(status_code=200, content_type="text/html; charset=utf-8", body=swagger_page(_openapi_text()))


@cache
def _openapi_text() -> str:
    return resources.files("catalog").joinpath("openapi.json").read_text(encoding="utf-8")


@cache
def _openapi() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_openapi_text())
    return document
