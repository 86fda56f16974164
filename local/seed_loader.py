"""Load the synthetic reference data (local/seed/reference-data.json, docs/seed.md) into moto.

Reference-table items come from the common layer's `sat_common.reference.seed.items_from_seed`
(imported from the template's common-code layer dir, else `layers/common/python`), so the runtime
writes exactly what the DynamoDB adapter reads. The Ministry users go to the people pool:
username `<TYPE>-<NUMBER>`, verified e-mail, permanent password, group `ministerio`.
"""

from __future__ import annotations

import importlib
import json
import secrets
import string
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from local import aws

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = REPO_ROOT / "local" / "seed" / "reference-data.json"
MINISTRY_GROUP = "ministerio"


def _items_from_seed(doc: dict[str, Any], layer_dirs: Iterable[Path]) -> list[dict[str, Any]]:
    for path in [*layer_dirs, REPO_ROOT / "layers" / "common" / "python"]:
        if (path / "sat_common").is_dir():
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
            break
    module = importlib.import_module("sat_common.reference.seed")
    return list(module.items_from_seed(doc))


def load_reference_items(
    endpoint: str, region: str, table: str, doc: dict[str, Any], layer_dirs: Iterable[Path] = ()
) -> int:
    items = _items_from_seed(doc, layer_dirs)
    ddb = aws.resource("dynamodb", endpoint, region)
    with ddb.Table(table).batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)
    return len(items)


def generate_password() -> str:
    """16 characters with upper, lower, digit and symbol: passes any Cognito password policy."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(12))
    return (
        core
        + secrets.choice(string.ascii_uppercase)
        + secrets.choice(string.ascii_lowercase)
        + secrets.choice(string.digits)
        + "!"
    )


def create_ministry_users(
    endpoint: str, region: str, pool_id: str, users: list[dict[str, Any]], password: str
) -> list[str]:
    idp = aws.client("cognito-idp", endpoint, region)
    groups = {g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
    if MINISTRY_GROUP not in groups:
        idp.create_group(UserPoolId=pool_id, GroupName=MINISTRY_GROUP)
    names = []
    for user in users:
        username = f"{user['documentType']}-{user['documentNumber']}"
        attributes = [{"Name": "email", "Value": user["email"]}, {"Name": "email_verified", "Value": "true"}]
        if user.get("firstName"):
            attributes.append({"Name": "given_name", "Value": user["firstName"]})
        if user.get("firstSurname"):
            attributes.append({"Name": "family_name", "Value": user["firstSurname"]})
        idp.admin_create_user(
            UserPoolId=pool_id, Username=username, UserAttributes=attributes, MessageAction="SUPPRESS"
        )
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=MINISTRY_GROUP)
        names.append(username)
    return names


def read_seed(path: Path = SEED_FILE) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


SERVICES_FILE = REPO_ROOT / "local" / "seed" / "services.json"


def service_items(doc: dict[str, Any], now: str) -> list[dict[str, Any]]:
    """Main-table items of the Ministry's catalog, as POST /admin/services writes them
    (functions/catalog/admin.py; tests/integration/test_catalog_seed.py checks they agree)."""
    items = []
    for service in doc.get("services", []):
        method = service["operation"].lower()
        paths = [p for p, item in service["openapi"]["paths"].items() if p.startswith("/sat/") and method in item]
        if len(paths) != 1:
            raise ValueError(f"{service['code']}: the document needs exactly one /sat/ path with {method}")
        service_id = service["code"].lower().replace("_", "-")
        items.append(
            {
                "PK": f"SERVICE#{service_id}",
                "SK": "PROFILE",
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
                "GSI1PK": "SERVICES",
                "GSI1SK": service["code"],
            }
        )
    return items


def load_services(endpoint: str, region: str, table: str, path: Path = SERVICES_FILE) -> list[str]:
    """Put the seeded services into the main table; returns their ids."""
    from datetime import UTC, datetime

    if not path.exists():
        return []
    items = service_items(json.loads(path.read_text()), datetime.now(UTC).isoformat(timespec="seconds"))
    ddb = aws.resource("dynamodb", endpoint, region)
    with ddb.Table(table).batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)
    return [item["serviceId"] for item in items]
