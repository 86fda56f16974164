"""The Ministry's catalog of services (manual MN82 §6, Ilustración 24) from the repository's file
(local/seed/services.json): the main-table items `POST /admin/services` would write
(functions/catalog/service_catalog.py; tests/integration/test_catalog_admin.py checks they agree).

Used by `python -m ops bootstrap` and by the local runtime's seed (local/seed_loader.py): one path. They are
stored with the catalog's own operations (catalog.repository.CatalogRepository).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ops import REPO_ROOT
from sat_common import ccf_access, clock, keys

SERVICES_FILE = REPO_ROOT / "local" / "seed" / "services.json"


def read_services(path: Path = SERVICES_FILE) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def service_items(doc: dict[str, Any], now: str) -> list[dict[str, Any]]:
    items = []
    for service in doc.get("services", []):
        method = service["operation"].lower()
        paths = [p for p, item in service["openapi"]["paths"].items() if p.startswith("/sat/") and method in item]
        if len(paths) != 1:
            raise ValueError(f"{service['code']}: the document needs exactly one /sat/ path with {method}")
        service_id = service["code"].lower().replace("_", "-")
        items.append(
            {
                **ccf_access.service_key(service_id),
                "serviceId": service_id,
                "code": service["code"],
                "name": service["name"],
                "description": service["description"],
                "operation": service["operation"],
                "endpointPath": paths[0],
                "openapi": json.dumps(service["openapi"], ensure_ascii=False),
                "state": service.get("state", "ACTIVE"),
                "createdAt": now,
                "updatedAt": now,
                "GSI1PK": keys.SERVICES,
                "GSI1SK": service["code"],
            }
        )
    return items


def put_services(table: Any, items: list[dict[str, Any]], *, dry_run: bool = False) -> tuple[list[str], list[str]]:
    """Create each service that does not exist yet; never overwrite one (the Ministry may have edited it
    through PATCH /admin/services). `table`: the main table's boto3 Table resource. Returns (created ids, ids
    that existed)."""
    from catalog.repository import CatalogRepository
    from ops.target import bind

    catalog = bind(CatalogRepository, table)
    created: list[str] = []
    existing: list[str] = []
    for item in items:
        service_id = str(item["serviceId"])
        if dry_run:
            (existing if catalog.service(service_id) else created).append(service_id)
        elif catalog.create_service(item):
            created.append(service_id)
        else:
            existing.append(service_id)
    return created, existing


def now_iso() -> str:
    """The services' createdAt/updatedAt, in the tables' one timestamp format (sat_common.clock.stamp)."""
    return clock.stamp()
