"""A CCF's shared services (endpoints the Ministry calls): keys, secret layout and read access.

Written by functions/share (manual §6 "Compartir servicios web con la Entidad", decision 0050); read by the
exchange and the notifications worker through `load` and `find_notification_service`. Items (main table):

    EMPLOYER#<nit> / SHARED#<sharedServiceId>    metadata only (never a secret); `secretName` and the
                                                 `secretVersionId` the metadata refers to; `purpose`
    EMPLOYER#<nit> / SHAREDNAME#<name lower>     uniqueness of the name within the CCF -> sharedServiceId
    EMPLOYER#<nit> / SHAREDPURPOSE#NOTIFICACION_TRAMITES
                                                 at most one notification service per CCF -> sharedServiceId
                                                 (decision 0106)
    EMPLOYER#<nit> / SHAREDVERIFY#<id>           connection-test rate limit (notBefore; TTL expiresAt)

Secret (Secrets Manager, one per shared service, KMS key SECRETS_KMS_KEY_ARN):
    name  <SECRETS_PREFIX><nit>/<sharedServiceId>
    value {"publicKey": "<PEM>"|null, "publicKeys": ["<PEM>", ...]|null, "password": str|null,
           "clientSecret": str|null}   (publicKey = the newest of publicKeys, decision 0102)

Readers always read the secret version the metadata names (`VersionId=secretVersionId`), never just
AWSCURRENT: a version written by a request whose metadata write then failed is never used.

Where notifications go (decision 0111, `delivery_target`): the current configuration while the service is
ACTIVE; while a change of `url` or OAuth data waits for its connection test (PENDING_VERIFICATION), the last
verified one, kept on the item as `verifiedConfiguration` {url, oauth, secretVersionId, checkedAt}; its secret
version also carries the staging label SAT_VERIFIED so Secrets Manager never cleans it up. Public keys are not
part of it: the pull is always encrypted to the current keys (decision 0102).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sat_common import aws, keys
from sat_common.ccf_oauth_client import Credentials, OAuthSettings

INCOMPLETE = "INCOMPLETE"
PENDING_VERIFICATION = "PENDING_VERIFICATION"
ACTIVE = "ACTIVE"
AUTHORIZED = "AUTHORIZED"
FAILED = "FAILED"
# Delivery gave up on the endpoint (410 Gone, or failing for NOTIFICATION_DISABLE_AFTER_DAYS): no notification
# goes there until a successful connection test (decision 0105).
DISABLED = "DISABLED"
# What a shared service is for (decision 0106): the one that receives the trámite notifications, or anything else.
NOTIFICATION_PURPOSE = "NOTIFICACION_TRAMITES"
OTHER_PURPOSE = "OTRO"
# Before `purpose` existed the notification service was the one with this name: items without `purpose` so named
# are read as NOTIFICACION_TRAMITES (read-time default; `python -m ops migrate-shared-purpose` writes it).
LEGACY_NOTIFICATION_NAME = "notificaciontramite"
# publicKeys: up to two PEMs, oldest first (decision 0102); publicKey: the newest of them (the pull's JWE goes to
# it), null without keys. A secret written before 0102 has publicKey only: that key is key 1.
SECRET_FIELDS = ("publicKey", "publicKeys", "password", "clientSecret")
# The last configuration that passed the connection test, while a newer one waits for its own (decision 0111).
VERIFIED_CONFIGURATION = "verifiedConfiguration"
# The secret version of the last verified configuration (a custom staging label: versions with a label are never
# deprecated by Secrets Manager, whatever the number of newer versions).
VERIFIED_STAGE = "SAT_VERIFIED"


def item_key(nit: str, shared_service_id: str) -> dict[str, str]:
    return {"PK": keys.employer(nit), "SK": keys.shared_service(shared_service_id)}


def name_key(nit: str, name: str) -> dict[str, str]:
    """Names are unique per CCF regardless of case (NotificacionTramite == notificaciontramite)."""
    return {"PK": keys.employer(nit), "SK": keys.shared_service_name(name)}


def purpose_key(nit: str) -> dict[str, str]:
    """The claim that makes the CCF's notification service unique (written with the item, in one transaction)."""
    return {"PK": keys.employer(nit), "SK": keys.shared_service_purpose(NOTIFICATION_PURPOSE)}


def purpose_of(item: dict[str, Any]) -> str:
    """The item's purpose; items written before it existed get the legacy default (decision 0106)."""
    purpose = item.get("purpose")
    if purpose in (NOTIFICATION_PURPOSE, OTHER_PURPOSE):
        return str(purpose)
    return default_purpose(str(item.get("name", "")))


def default_purpose(name: str) -> str:
    """The purpose of a service registered without one: the legacy name rule."""
    return NOTIFICATION_PURPOSE if name.strip().lower() == LEGACY_NOTIFICATION_NAME else OTHER_PURPOSE


def verify_key(nit: str, shared_service_id: str) -> dict[str, str]:
    return {"PK": keys.employer(nit), "SK": keys.shared_service_verification(shared_service_id)}


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
    purpose: str
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
        purpose=purpose_of(item),
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


def notification_item(nit: str, *, table_name: str | None = None) -> dict[str, Any] | None:
    """The CCF's notification service item, whatever its status: the purpose claim, else (data written before
    `purpose`, decision 0106) the item claimed by the legacy name when it has no purpose of its own."""
    table = _table_name(table_name)
    claim = _get(table, purpose_key(nit))
    if claim:
        item = _get(table, item_key(nit, claim["sharedServiceId"]))
        if item and purpose_of(item) == NOTIFICATION_PURPOSE:
            return item
    legacy = _get(table, name_key(nit, LEGACY_NOTIFICATION_NAME))
    if legacy:
        item = _get(table, item_key(nit, legacy["sharedServiceId"]))
        if item and "purpose" not in item and purpose_of(item) == NOTIFICATION_PURPOSE:
            return item
    return None


def delivery_target(item: dict[str, Any]) -> dict[str, Any] | None:
    """Where the service's notifications go (decision 0111): {url, oauth, secretVersionId, checkedAt} of the
    current configuration while ACTIVE, of the last verified one while a change waits for its connection test;
    None when there is none (never verified, INCOMPLETE, DISABLED by the deliveries)."""
    status = item.get("status")
    if status == ACTIVE:
        return {
            "url": item["url"],
            "oauth": item.get("oauth"),
            "secretVersionId": item["secretVersionId"],
            "checkedAt": (item.get("connection") or {}).get("checkedAt"),
        }
    verified = item.get(VERIFIED_CONFIGURATION)
    if status == PENDING_VERIFICATION and verified:
        return dict(verified)
    return None


def find_notification_service(nit: str, *, table_name: str | None = None) -> tuple[SharedService, Credentials] | None:
    """The CCF's notification service (purpose NOTIFICACION_TRAMITES) as deliveries use it: url and OAuth data
    of its delivery target, the credentials of the target's secret version and the current public key (a key
    changes who reads the pull, not where notifications go: decision 0102); None when it has no target."""
    item = notification_item(nit, table_name=table_name)
    target = delivery_target(item) if item else None
    if not item or target is None:
        return None
    service = from_item({**item, "url": target["url"], "oauth": target.get("oauth")})
    secret = read_secret(service.secret_name, target["secretVersionId"])
    if target["secretVersionId"] != service.secret_version_id:
        secret["publicKey"] = read_secret(service.secret_name, service.secret_version_id)["publicKey"]
    return service, credentials_of(secret)
