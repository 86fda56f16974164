"""A CCF's shared services (endpoints the Ministry calls): keys, secret layout and read access.

Written by functions/share (issue 6 part A, decision 0050); read by the exchange/delivery side (part B)
through `load` and `find_active_by_name`. Items (main table):

    EMPLOYER#<nit> / SHARED#<sharedServiceId>    metadata only (never a secret); `secretName` and the
                                                 `secretVersionId` the metadata refers to
    EMPLOYER#<nit> / SHAREDNAME#<name lower>     uniqueness of the name within the CCF -> sharedServiceId
    EMPLOYER#<nit> / SHAREDVERIFY#<id>           connection-test rate limit (notBefore; TTL expiresAt)

Secret (Secrets Manager, one per shared service, KMS key SECRETS_KMS_KEY_ARN):
    name  <SECRETS_PREFIX><nit>/<sharedServiceId>
    value {"publicKey": "<PEM>"|null, "password": str|null, "clientSecret": str|null}

Readers always read the secret version the metadata names (`VersionId=secretVersionId`), never just
AWSCURRENT: a version written by a request whose metadata write then failed is never used.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sat_common import aws
from sat_common.ccf_oauth_client import Credentials, OAuthSettings

INCOMPLETE = "INCOMPLETE"
PENDING_VERIFICATION = "PENDING_VERIFICATION"
ACTIVE = "ACTIVE"
AUTHORIZED = "AUTHORIZED"
FAILED = "FAILED"
SECRET_FIELDS = ("publicKey", "password", "clientSecret")


def item_key(nit: str, shared_service_id: str) -> dict[str, str]:
    return {"PK": f"EMPLOYER#{nit}", "SK": f"SHARED#{shared_service_id}"}


def name_key(nit: str, name: str) -> dict[str, str]:
    """Names are unique per CCF regardless of case (NotificacionTramite == notificaciontramite)."""
    return {"PK": f"EMPLOYER#{nit}", "SK": f"SHAREDNAME#{name.lower()}"}


def verify_key(nit: str, shared_service_id: str) -> dict[str, str]:
    return {"PK": f"EMPLOYER#{nit}", "SK": f"SHAREDVERIFY#{shared_service_id}"}


def secret_name(prefix: str, nit: str, shared_service_id: str) -> str:
    return f"{prefix}{nit}/{shared_service_id}"


@dataclass(frozen=True)
class SharedService:
    """The metadata of one shared service (no secret)."""

    nit: str
    shared_service_id: str
    name: str
    description: str
    url: str
    operation: str
    status: str
    oauth: OAuthSettings | None
    has_public_key: bool
    public_key_type: str | None
    secret_name: str
    secret_version_id: str
    revision: int  # +1 on every change of the item (incl. connection tests): optimistic lock
    updated_at: str
    item: dict[str, Any]  # the whole item, plain types

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def from_item(item: dict[str, Any]) -> SharedService:
    oauth = item.get("oauth") or None
    return SharedService(
        nit=item["nit"],
        shared_service_id=item["sharedServiceId"],
        name=item["name"],
        description=item.get("description", ""),
        url=item["url"],
        operation=item["operation"],
        status=item["status"],
        oauth=(
            OAuthSettings(
                token_url=oauth["tokenUrl"],
                client_id=oauth["clientId"],
                username=oauth.get("username"),
                scope=oauth.get("scope"),
                token_name=oauth.get("tokenName"),
            )
            if oauth
            else None
        ),
        has_public_key=bool(item.get("hasPublicKey")),
        public_key_type=item.get("publicKeyType"),
        secret_name=item["secretName"],
        secret_version_id=item["secretVersionId"],
        revision=int(item.get("revision", 0)),
        updated_at=item.get("updatedAt", ""),
        item=item,
    )


def read_secret(name: str, version_id: str) -> dict[str, Any]:
    """The secret's JSON value at that version (raises botocore ClientError on Secrets Manager/KMS faults)."""
    response = aws.client("secretsmanager").get_secret_value(SecretId=name, VersionId=version_id)
    value = json.loads(response["SecretString"])
    return {field: value.get(field) for field in SECRET_FIELDS}


def credentials_of(value: dict[str, Any]) -> Credentials:
    return Credentials(
        password=value.get("password"), client_secret=value.get("clientSecret"), public_key=value.get("publicKey")
    )


def _table_name(table_name: str | None) -> str:
    return table_name or os.environ["MAIN_TABLE_NAME"]


def _get(table_name: str, key: dict[str, str]) -> dict[str, Any] | None:
    item = aws.table(table_name).get_item(Key=key, ConsistentRead=True).get("Item")
    return plain(item) if item else None


def load(
    nit: str, shared_service_id: str, *, table_name: str | None = None
) -> tuple[SharedService, Credentials] | None:
    """The shared service and its credentials, whatever its status; None when it does not exist."""
    item = _get(_table_name(table_name), item_key(nit, shared_service_id))
    if not item:
        return None
    service = from_item(item)
    return service, credentials_of(read_secret(service.secret_name, service.secret_version_id))


def find_active_by_name(
    nit: str, name: str, *, table_name: str | None = None
) -> tuple[SharedService, Credentials] | None:
    """The CCF's ACTIVE shared service with that name (case-insensitive) and its credentials; None otherwise."""
    table = _table_name(table_name)
    claim = _get(table, name_key(nit, name))
    if not claim:
        return None
    item = _get(table, item_key(nit, claim["sharedServiceId"]))
    if not item or item.get("status") != ACTIVE:
        return None
    service = from_item(item)
    return service, credentials_of(read_secret(service.secret_name, service.secret_version_id))
