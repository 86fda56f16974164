"""Reference catalogs (GET /catalogs/{catalog}): which catalog, its items, with the only filter the API offers
(department for municipalities)."""

from typing import Any

from sat_common import catalogs
from sat_common.errors import DomainError, FieldError, invalid


def catalog_page(name: str, department: str | None) -> dict[str, Any]:
    if name not in catalogs.PUBLIC_CATALOGS:
        raise DomainError(
            code="CATALOG_NOT_FOUND",
            status=404,
            params={"catalog": name[:40], "available": ", ".join(catalogs.PUBLIC_CATALOGS)},
        )
    catalog = catalogs.load(name)
    items = catalog.items
    if department is not None:
        if name != "municipalities":
            raise invalid([FieldError("department", "filter_not_applicable")])
        if catalogs.load("departments").find(department) is None:
            raise invalid([FieldError("department", "unknown_department")])
        items = catalogs.municipalities_of(department)
    return {"catalog": name, "source": catalog.source, "count": len(items), "items": list(items)}
