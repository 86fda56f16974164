"""Shared services of a CCF: register, list, read, change, delete, OAuth credentials, connection test.

Decision docs/decisions/0050-shared-services-secrets-and-states.md. Order of writes, so a Secrets
Manager / KMS / DynamoDB fault never leaves something half-written:
- create: secret first (new secret, its own name), then metadata + name claim in one conditional
  transaction; if that fails the new secret is deleted at once (it was never referenced);
- change of a secret part: new secret version first, then the metadata (conditional on `revision`)
  pointing at that VersionId; if that fails AWSCURRENT goes back to the referenced version, and
  readers use the referenced VersionId anyway;
- delete: secret deletion scheduled first (recovery window), then metadata + name claim deleted in
  one transaction; if that fails the secret is restored.
Status: INCOMPLETE until the OAuth part is stored, then PENDING_VERIFICATION; ACTIVE only after a
successful connection test; a change of url, key or any OAuth value sends it back to PENDING_VERIFICATION.
DISABLED: the notifications worker gave up on the endpoint (decision 0105); a successful connection test
makes it ACTIVE again.

Purpose (decision 0106): at most one NOTIFICACION_TRAMITES service per CCF while it exists, guarded by a claim
item written in the same transaction as the metadata (like the name claim); any write of an item materializes
the read-time default of items written before `purpose` existed.

Where the secrets go (decision 0054): a change of `url`, `tokenUrl`, `username` or `clientId` of a service
whose OAuth part is stored needs every secret again (whoever changes where they go must know them), is
e-mailed to the CCF's other authorized persons, and the connection test probes both URLs.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from dataclasses import dataclass
from typing import Any

from sat_common import audit, aws, clock, url_safety
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.ccf_oauth_client import OAuthSettings, TokenError, fetch_token, grant_type
from sat_common.ccf_person_access import require_authorized_with_terms
from sat_common.dynamo import ConditionFailed, transact
from sat_common.errors import DomainError, FieldError, invalid
from sat_common.outbound_http import SafeHttpClient
from sat_common.shared_services import (
    ACTIVE,
    AUTHORIZED,
    DISABLED,
    FAILED,
    INCOMPLETE,
    NOTIFICATION_PURPOSE,
    PENDING_VERIFICATION,
    credentials_of,
    default_purpose,
    item_key,
    name_key,
    notification_item,
    plain,
    purpose_key,
    purpose_of,
    secret_name,
    verify_key,
)
from share import endpoint_probe, key_slots, keys, notices, secrets_store
from share.config import ShareSettings
from share.models import SharedServiceCreate, SharedServiceOAuthRequest, SharedServicePatch

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHARED_PREFIX = "SHARED#"


def new_ulid() -> str:
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def _now() -> str:
    return clock.now().isoformat(timespec="seconds")


@dataclass(frozen=True)
class Context:
    settings: ShareSettings
    caller: Caller
    actor: Actor
    nit: str

    @property
    def table(self) -> Any:
        return aws.table(self.settings.main_table_name)


def _authorize(ctx: Context) -> dict[str, Any]:
    """The CCF's activation item (its business name) when the caller may act on its shared services."""
    return require_authorized_with_terms(ctx.settings.main_table_name, ctx.caller, ctx.nit)


def _secrets_required(changed: list[str], needed: list[str]) -> None:
    """422 naming every secret that a change of where they go needs again (decision 0054)."""
    if needed:
        params = {"changed": ", ".join(changed)}
        raise invalid([FieldError(field, "secret_required_on_change", params) for field in needed])


def _notify_destination(ctx: Context, activation: dict[str, Any], item: dict[str, Any], changed: list[str]) -> None:
    queued = notices.destination_changed(
        ctx.settings,
        nit=ctx.nit,
        business_name=str(activation.get("businessName") or ""),
        caller=ctx.caller.username,
        item=item,
        changed=changed,
    )
    if queued:
        _audit(ctx, "SHARED_SERVICE_CHANGE_NOTICE", item["sharedServiceId"], {"changed": changed, "to": queued})


# --------------------------------------------------------------------------- DynamoDB helpers
def _get(ctx: Context, key: dict[str, str]) -> dict[str, Any] | None:
    item = ctx.table.get_item(Key=key, ConsistentRead=True).get("Item")
    return plain(item) if item else None


def _existing(ctx: Context, shared_service_id: str) -> dict[str, Any]:
    item = _get(ctx, item_key(ctx.nit, shared_service_id))
    if not item:
        raise DomainError(code="SHARED_SERVICE_NOT_FOUND", status=404, params={"sharedServiceId": shared_service_id})
    return item


def _serialize(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {name: serializer.serialize(value) for name, value in item.items() if value is not None}


def _put(ctx: Context, item: dict[str, Any], condition: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    put: dict[str, Any] = {
        "TableName": ctx.settings.main_table_name,
        "Item": _serialize(item),
        "ConditionExpression": condition,
    }
    if values:
        put["ExpressionAttributeValues"] = _serialize(values)
    return {"Put": put}


def _delete(ctx: Context, key: dict[str, str], condition: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    delete: dict[str, Any] = {
        "TableName": ctx.settings.main_table_name,
        "Key": _serialize(key),
        "ConditionExpression": condition,
    }
    if values:
        delete["ExpressionAttributeValues"] = _serialize(values)
    return {"Delete": delete}


def _replace_item(ctx: Context, item: dict[str, Any], revision: int) -> dict[str, Any]:
    """Put the whole new version of the metadata, only if nobody changed it since we read `revision`."""
    return _put(ctx, item, "revision = :revision", {":revision": revision})


# --------------------------------------------------------------------------- validation after authorization
def _url_error(field: str, url: str, settings: ShareSettings) -> tuple[FieldError, str] | None:
    try:
        url_safety.check_url(url, allow_loopback=settings.allow_loopback_urls)
    except url_safety.UnsafeUrl as error:
        return FieldError(field, error.field_key), error.rule
    return None


def _key_error(text: str) -> tuple[keys.ParsedKey | None, FieldError | None]:
    try:
        return keys.parse(text), None
    except keys.KeyProblem as problem:
        return None, FieldError("publicKey", problem.key, problem.params)


def _raise_if(errors: list[FieldError], rules: dict[str, str]) -> None:
    if errors:
        error = invalid(errors)
        if rules:
            error.extra = {"rules": rules}
        raise error


def _key_fields(parsed: keys.ParsedKey | None) -> dict[str, Any]:
    return {
        "hasPublicKey": parsed is not None,
        "publicKeyType": parsed.key_type if parsed else None,
        "publicKeyFormat": parsed.form if parsed else None,
        "publicKeyFingerprint": parsed.fingerprint if parsed else None,
        "certificateNotAfter": parsed.not_after if parsed else None,
    }


# --------------------------------------------------------------------------- view (never a secret)
def view(item: dict[str, Any]) -> dict[str, Any]:
    oauth = item.get("oauth")
    return {
        "sharedServiceId": item["sharedServiceId"],
        "nit": item["nit"],
        "name": item["name"],
        "description": item["description"],
        "purpose": purpose_of(item),
        "url": item["url"],
        "operation": item["operation"],
        "exampleBody": item.get("exampleBody"),
        "status": item["status"],
        "disabledAt": item.get("disabledAt"),
        "disabledReason": item.get("disabledReason"),
        "hasPublicKey": bool(item.get("hasPublicKey")),
        "publicKeyType": item.get("publicKeyType"),
        "publicKeyFormat": item.get("publicKeyFormat"),
        "publicKeyFingerprint": item.get("publicKeyFingerprint"),
        "certificateNotAfter": item.get("certificateNotAfter"),
        "publicKeys": key_slots.views(item),
        "hasPassword": bool(item.get("hasPassword")),
        "hasClientSecret": bool(item.get("hasClientSecret")),
        "oauth": (
            {
                "tokenName": oauth["tokenName"],
                "tokenUrl": oauth["tokenUrl"],
                "username": oauth.get("username"),
                "clientId": oauth["clientId"],
                "scope": oauth.get("scope"),
                "grantType": "password" if oauth.get("username") and item.get("hasPassword") else "client_credentials",
            }
            if oauth
            else None
        ),
        "connection": item.get("connection"),
        "createdAt": item["createdAt"],
        "updatedAt": item["updatedAt"],
    }


def _purpose_claim(ctx: Context, shared_service_id: str) -> dict[str, Any]:
    return {**purpose_key(ctx.nit), "sharedServiceId": shared_service_id}


def _purpose_writes(ctx: Context, item: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Keep the purpose claim in step with a changed item: the claim is this service's (or nobody's) before."""
    was = purpose_of(item) == NOTIFICATION_PURPOSE
    now = new["purpose"] == NOTIFICATION_PURPOSE
    mine = "attribute_not_exists(PK) OR sharedServiceId = :id"
    values = {":id": item["sharedServiceId"]}
    if now:
        return [_put(ctx, _purpose_claim(ctx, item["sharedServiceId"]), mine, values)]
    if was:
        return [_delete(ctx, purpose_key(ctx.nit), mine, values)]
    return []


# --------------------------------------------------------------------------- create
def create(ctx: Context, request: SharedServiceCreate) -> dict[str, Any]:
    _authorize(ctx)
    errors: list[FieldError] = []
    rules: dict[str, str] = {}
    url_problem = _url_error("url", request.url, ctx.settings)
    if url_problem:
        errors.append(url_problem[0])
        rules["url"] = url_problem[1]
    parsed = None
    if request.publicKey is not None:
        parsed, key_problem = _key_error(request.publicKey)
        if key_problem:
            errors.append(key_problem)
    _raise_if(errors, rules)

    if _get(ctx, name_key(ctx.nit, request.name)):  # quick answer; the transaction below is the guard
        raise DomainError(code="SHARED_SERVICE_NAME_TAKEN", status=409, params={"name": request.name})
    purpose = request.purpose or default_purpose(request.name)
    notification = purpose == NOTIFICATION_PURPOSE
    if notification and notification_item(ctx.nit, table_name=ctx.settings.main_table_name):
        raise DomainError(code="NOTIFICATION_SERVICE_EXISTS", status=409)  # quick answer, as the name's

    shared_service_id = new_ulid()
    name = secret_name(ctx.settings.secrets_prefix, ctx.nit, shared_service_id)
    version = secrets_store.create(
        name,
        ctx.settings.secrets_kms_key_arn,
        {
            "publicKey": parsed.pem if parsed else None,
            "publicKeys": [parsed.pem] if parsed else [],  # publicKey is key 1 (decision 0102)
            "password": None,
            "clientSecret": None,
        },
        {"nit": ctx.nit, "sharedServiceId": shared_service_id},
    )
    now = _now()
    item = {
        **item_key(ctx.nit, shared_service_id),
        "nit": ctx.nit,
        "sharedServiceId": shared_service_id,
        "name": request.name,
        "description": request.description,
        "purpose": purpose,
        "url": request.url,
        "operation": request.operation,
        "exampleBody": request.exampleBody,
        **_key_fields(parsed),
        "publicKeys": [keys.describe(parsed, now)] if parsed else [],
        "hasPassword": False,
        "hasClientSecret": False,
        "status": INCOMPLETE,
        "secretName": name,
        "secretVersionId": version,
        "revision": 1,
        "createdAt": now,
        "createdBy": ctx.caller.username,
        "updatedAt": now,
        "updatedBy": ctx.caller.username,
    }
    claim = {**name_key(ctx.nit, request.name), "sharedServiceId": shared_service_id, "name": request.name}
    writes = [_put(ctx, item, "attribute_not_exists(PK)"), _put(ctx, claim, "attribute_not_exists(PK)")]
    if notification:
        writes.append(_put(ctx, _purpose_claim(ctx, shared_service_id), "attribute_not_exists(PK)"))
    try:
        transact(writes)
    except ConditionFailed:
        secrets_store.discard_new(name)
        if notification and not _get(ctx, name_key(ctx.nit, request.name)):
            raise DomainError(code="NOTIFICATION_SERVICE_EXISTS", status=409) from None
        raise DomainError(code="SHARED_SERVICE_NAME_TAKEN", status=409, params={"name": request.name}) from None
    except Exception:
        secrets_store.discard_new(name)
        raise
    _audit(
        ctx,
        "SHARED_SERVICE_CREATED",
        shared_service_id,
        {
            "name": request.name,
            "purpose": purpose,
            "url": request.url,
            "operation": request.operation,
            "publicKeyType": item["publicKeyType"],
            "status": INCOMPLETE,
        },
    )
    return {"sharedServiceId": shared_service_id, "status": INCOMPLETE}


# --------------------------------------------------------------------------- read
def get(ctx: Context, shared_service_id: str) -> dict[str, Any]:
    _authorize(ctx)
    return view(_existing(ctx, shared_service_id))


def list_page(ctx: Context, limit: int, next_token: str | None) -> dict[str, Any]:
    _authorize(ctx)
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {":pk": f"EMPLOYER#{ctx.nit}", ":prefix": SHARED_PREFIX},
        "Limit": limit,
        "ConsistentRead": True,
    }
    if next_token:
        kwargs["ExclusiveStartKey"] = _decode_token(ctx.nit, next_token)
    page = ctx.table.query(**kwargs)
    items = [view(plain(item)) for item in page.get("Items", [])]
    last = page.get("LastEvaluatedKey")
    return {"items": items, "nextToken": _encode_token(last) if last else None}


def _encode_token(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"PK": key["PK"], "SK": key["SK"]}).encode()).decode().rstrip("=")


def _decode_token(nit: str, token: str) -> dict[str, str]:
    try:
        key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        key = None
    if (
        not isinstance(key, dict)
        or set(key) != {"PK", "SK"}
        or key.get("PK") != f"EMPLOYER#{nit}"
        or not isinstance(key.get("SK"), str)
        or not key["SK"].startswith(SHARED_PREFIX)
    ):
        raise invalid([FieldError("nextToken", "next_token_invalid")])
    return {"PK": key["PK"], "SK": key["SK"]}


# --------------------------------------------------------------------------- change the service part
def patch(ctx: Context, shared_service_id: str, request: SharedServicePatch) -> dict[str, Any]:
    activation = _authorize(ctx)
    sent = request.model_fields_set
    if not sent:
        raise invalid([FieldError("body", "empty_patch")])
    for required in ("name", "description", "purpose", "url", "operation", "password", "clientSecret"):
        if required in sent and getattr(request, required) is None:
            raise invalid([FieldError(required, "missing")])
    item = _existing(ctx, shared_service_id)

    errors: list[FieldError] = []
    rules: dict[str, str] = {}
    if request.url is not None and request.url != item["url"]:
        url_problem = _url_error("url", request.url, ctx.settings)
        if url_problem:
            errors.append(url_problem[0])
            rules["url"] = url_problem[1]
    parsed = None
    if request.publicKey is not None:
        parsed, key_problem = _key_error(request.publicKey)
        if key_problem:
            errors.append(key_problem)
    _raise_if(errors, rules)
    new_secrets = _patch_secrets(item, request)

    new = dict(item)
    changed: list[str] = []
    for field in ("name", "description", "url", "operation", "exampleBody"):
        if field in sent and getattr(request, field) != item.get(field):
            new[field] = getattr(request, field)
            changed.append(field)
    # The purpose an item written before `purpose` was read with stays its purpose when it is renamed (0106).
    new["purpose"] = request.purpose if request.purpose is not None else purpose_of(item)
    if new["purpose"] != purpose_of(item):
        changed.append("purpose")
        if new["purpose"] == NOTIFICATION_PURPOSE and notification_item(
            ctx.nit, table_name=ctx.settings.main_table_name
        ):
            raise DomainError(code="NOTIFICATION_SERVICE_EXISTS", status=409)
    # publicKey (the single-key field) replaces the registered keys with that one, or none (decision 0102).
    registered = [entry["fingerprint"] for entry in item.get("publicKeys") or []]
    if item.get("publicKeys") is None and item.get("hasPublicKey"):  # an item from before 0102
        registered = [item.get("publicKeyFingerprint")]
    key_changed = "publicKey" in sent and registered != ([parsed.fingerprint] if parsed else [])
    if key_changed:
        changed.append("publicKey")
    if not changed:
        return view(item)

    # A key change does not pause delivery (decision 0102): it changes who reads the pull, not where we post.
    security = "url" in changed
    if security and item["status"] != INCOMPLETE:
        new["status"] = PENDING_VERIFICATION
        new.pop("connection", None)
    new.update(revision=item["revision"] + 1, updatedAt=_now(), updatedBy=ctx.caller.username)

    new_version = None
    if key_changed or new_secrets:
        stored = secrets_store.read_secret(item["secretName"], item["secretVersionId"])
        if key_changed:
            key_slots.apply(new, stored, [(keys.describe(parsed, new["updatedAt"]), parsed.pem)] if parsed else [])
        stored.update(new_secrets)
        new_version = secrets_store.put_version(item["secretName"], stored)
        new["secretVersionId"] = new_version

    writes = [_replace_item(ctx, new, item["revision"]), *_purpose_writes(ctx, item, new)]
    renamed = "name" in changed and new["name"].lower() != item["name"].lower()
    if "name" in changed:
        claim = {**name_key(ctx.nit, new["name"]), "sharedServiceId": shared_service_id, "name": new["name"]}
        if renamed:
            writes.append(_put(ctx, claim, "attribute_not_exists(PK)"))
            writes.append(
                _delete(ctx, name_key(ctx.nit, item["name"]), "sharedServiceId = :id", {":id": shared_service_id})
            )
        else:  # only the case changed: same claim, new spelling
            writes.append(_put(ctx, claim, "sharedServiceId = :id", {":id": shared_service_id}))
    try:
        transact(writes)
    except ConditionFailed:
        _compensate_version(item, new_version)
        if renamed and _get(ctx, name_key(ctx.nit, new["name"])):
            raise DomainError(code="SHARED_SERVICE_NAME_TAKEN", status=409, params={"name": new["name"]}) from None
        holder = _get(ctx, purpose_key(ctx.nit))
        if new["purpose"] == NOTIFICATION_PURPOSE and holder and holder["sharedServiceId"] != shared_service_id:
            raise DomainError(code="NOTIFICATION_SERVICE_EXISTS", status=409) from None
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    except Exception:
        _compensate_version(item, new_version)
        raise
    _audit(
        ctx,
        "SHARED_SERVICE_UPDATED",
        shared_service_id,
        {"changed": changed, "secretsChanged": sorted(new_secrets) or None, "status": new["status"]},
    )
    if "url" in changed:
        _notify_destination(ctx, activation, new, ["url"])
    return view(new)


def _patch_secrets(item: dict[str, Any], request: SharedServicePatch) -> dict[str, str | None]:
    """The secrets a PATCH carries: only with a new url, and then every stored one (decision 0054)."""
    sent = {name: getattr(request, name) for name in ("password", "clientSecret") if getattr(request, name)}
    new_url = request.url is not None and request.url != item["url"]
    oauth = item.get("oauth")
    if sent and (not new_url or not oauth):
        raise invalid([FieldError(name, "secret_only_with_url_change") for name in sorted(sent)])
    if not new_url or not oauth:
        return {}
    with_password = bool(oauth.get("username")) and bool(item.get("hasPassword"))
    if "password" in sent and not with_password:
        raise invalid([FieldError("password", "oauth_username_required")])
    needed = [name for name in ("password", "clientSecret") if name not in sent]
    _secrets_required(["url"], [name for name in needed if name == "clientSecret" or with_password])
    return {"password": sent.get("password"), "clientSecret": sent["clientSecret"]}


def _compensate_version(item: dict[str, Any], new_version: str | None) -> None:
    if new_version:
        secrets_store.revert_current(item["secretName"], item["secretVersionId"], new_version)


# --------------------------------------------------------------------------- OAuth part
def put_oauth(ctx: Context, shared_service_id: str, request: SharedServiceOAuthRequest) -> dict[str, Any]:
    activation = _authorize(ctx)
    item = _existing(ctx, shared_service_id)
    errors: list[FieldError] = []
    rules: dict[str, str] = {}
    url_problem = _url_error("tokenUrl", request.tokenUrl, ctx.settings)
    if url_problem:
        errors.append(url_problem[0])
        rules["tokenUrl"] = url_problem[1]
    if request.password is not None and request.username is None:
        errors.append(FieldError("username", "oauth_username_required"))
    _raise_if(errors, rules)  # nothing below needs the secret when the request is already wrong

    previous_oauth = item.get("oauth") or {}
    # A stored secret is kept only while it keeps going where it went: new tokenUrl, username or clientId
    # need every secret again, so nobody can point the stored ones at a server of their own (decision 0054).
    moved = [
        key
        for key in ("tokenUrl", "username", "clientId")
        if previous_oauth and getattr(request, key) != previous_oauth.get(key)
    ]
    if moved:
        needed = [
            name
            for name, missing in (
                ("password", request.username is not None and request.password is None),
                ("clientSecret", request.clientSecret is None),
            )
            if missing
        ]
        _secrets_required(moved, needed)
    stored = secrets_store.read_secret(item["secretName"], item["secretVersionId"])
    same_user = request.username is not None and request.username == previous_oauth.get("username")
    password = request.password or (stored.get("password") if same_user else None)
    if request.username is None:
        password = None
    client_secret = request.clientSecret or stored.get("clientSecret")
    if request.username is not None and not password:
        errors.append(FieldError("password", "oauth_password_required"))
    if not client_secret:
        errors.append(FieldError("clientSecret", "oauth_client_secret_required"))
    _raise_if(errors, rules)

    oauth = {
        "tokenName": request.tokenName,
        "tokenUrl": request.tokenUrl,
        "username": request.username,
        "clientId": request.clientId,
        "scope": request.scope,
    }
    oauth = {key: value for key, value in oauth.items() if value is not None}
    secrets_changed = password != stored.get("password") or client_secret != stored.get("clientSecret")
    changed = sorted(
        {
            key
            for key in ("tokenName", "tokenUrl", "username", "clientId", "scope")
            if oauth.get(key) != previous_oauth.get(key)
        }
        | ({"password"} if password != stored.get("password") else set())
        | ({"clientSecret"} if client_secret != stored.get("clientSecret") else set())
    )
    if not changed:
        return view(item)
    security = bool(set(changed) - {"tokenName"}) or not previous_oauth

    new = dict(item)
    new.update(
        oauth=oauth,
        hasPassword=bool(password),
        hasClientSecret=bool(client_secret),
        revision=item["revision"] + 1,
        updatedAt=_now(),
        updatedBy=ctx.caller.username,
    )
    if item["status"] == INCOMPLETE or security:
        new["status"] = PENDING_VERIFICATION
        new.pop("connection", None)

    new_version = None
    if secrets_changed:
        new_version = secrets_store.put_version(
            item["secretName"],
            {**stored, "password": password, "clientSecret": client_secret},
        )
        new["secretVersionId"] = new_version
    try:
        transact([_replace_item(ctx, new, item["revision"])])
    except ConditionFailed:
        _compensate_version(item, new_version)
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    except Exception:
        _compensate_version(item, new_version)
        raise
    _audit(
        ctx,
        "SHARED_SERVICE_OAUTH_SET",
        shared_service_id,
        {"changed": changed, "grantType": view(new)["oauth"]["grantType"], "status": new["status"]},
    )
    destination: list[str] = [key for key in ("tokenUrl", "username", "clientId") if key in changed]
    if destination:
        _notify_destination(ctx, activation, new, destination)
    return view(new)


# --------------------------------------------------------------------------- delete
def delete(ctx: Context, shared_service_id: str) -> None:
    _authorize(ctx)
    item = _existing(ctx, shared_service_id)
    days = ctx.settings.secret_recovery_days
    deletion_date = secrets_store.schedule_deletion(item["secretName"], days)
    try:
        transact(
            [
                _delete(
                    ctx, item_key(ctx.nit, shared_service_id), "revision = :revision", {":revision": item["revision"]}
                ),
                _delete(ctx, name_key(ctx.nit, item["name"]), "sharedServiceId = :id", {":id": shared_service_id}),
                *_purpose_writes(ctx, item, {"purpose": "OTRO"}),
            ]
        )
    except ConditionFailed:
        secrets_store.restore(item["secretName"])
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    except Exception:
        secrets_store.restore(item["secretName"])
        raise
    _audit(
        ctx,
        "SHARED_SERVICE_DELETED",
        shared_service_id,
        {
            "name": item["name"],
            "secretName": item["secretName"],
            "secretRecoveryWindowDays": days,
            "secretDeletionDate": deletion_date,
        },
    )


# --------------------------------------------------------------------------- connection test
def verify(ctx: Context, shared_service_id: str) -> dict[str, Any]:
    _authorize(ctx)
    item = _existing(ctx, shared_service_id)
    if item["status"] == INCOMPLETE or not item.get("oauth"):
        raise DomainError(code="SHARED_SERVICE_INCOMPLETE", status=409)
    _rate_limit(ctx, shared_service_id)

    stored = secrets_store.read_secret(item["secretName"], item["secretVersionId"])
    credentials = credentials_of(stored)
    oauth = item["oauth"]
    settings = OAuthSettings(
        token_url=oauth["tokenUrl"],
        client_id=oauth["clientId"],
        username=oauth.get("username"),
        scope=oauth.get("scope"),
        token_name=oauth.get("tokenName"),
    )
    grant = grant_type(settings, credentials)
    client = SafeHttpClient(
        allow_loopback=ctx.settings.allow_loopback_urls,
        connect_timeout=ctx.settings.outbound_connect_timeout_seconds,
        read_timeout=ctx.settings.outbound_read_timeout_seconds,
        total_timeout=ctx.settings.outbound_total_timeout_seconds,
        max_response_bytes=ctx.settings.outbound_max_response_bytes,
    )
    reason_code, http_status = None, None
    try:
        fetch_token(settings, credentials, client)  # the token itself is dropped: a test only
        token_ok = True
        token_detail = f"Se obtuvo un token de acceso del servicio de token de la CCF (concesión {grant})."
    except TokenError as error:
        token_ok, reason_code, http_status = False, error.reason_code, error.status_code
        token_detail = error.message_es + (f" (HTTP {http_status})." if http_status else ".")
    # The service's own URL too, without the token or any secret (decision 0054): a notification goes there.
    probe = endpoint_probe.probe(item["url"], client)
    status = AUTHORIZED if token_ok and probe.reachable else FAILED
    detail = f"Servicio de token: {token_detail} Servicio: {probe.detail_es}"
    checked_at = _now()
    connection = {"status": status, "detail": detail, "checkedAt": checked_at}
    new = dict(item)
    new.update(
        connection=connection,
        # A DISABLED endpoint stays so (with its reason) until a test succeeds (decision 0105).
        status=ACTIVE if status == AUTHORIZED else DISABLED if item["status"] == DISABLED else PENDING_VERIFICATION,
        revision=item["revision"] + 1,
    )
    if status == AUTHORIZED:
        for stale in ("disabledAt", "disabledReason", "failingSince"):
            new.pop(stale, None)
    try:
        transact([_replace_item(ctx, new, item["revision"])])
    except ConditionFailed:
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    _audit(
        ctx,
        "SHARED_SERVICE_VERIFIED",
        shared_service_id,
        {
            "result": status,
            "reasonCode": reason_code,
            "httpStatus": http_status,
            "grantType": grant,
            "tokenUrl": oauth["tokenUrl"],
            "endpointReasonCode": probe.reason_code,
            "endpointHttpStatus": probe.http_status,
            "url": item["url"],
            "status": new["status"],
        },
    )
    return connection


def _rate_limit(ctx: Context, shared_service_id: str) -> None:
    now = clock.epoch()
    interval = ctx.settings.verification_interval_seconds
    try:
        ctx.table.put_item(
            Item={**verify_key(ctx.nit, shared_service_id), "notBefore": now + interval, "expiresAt": now + interval},
            ConditionExpression="attribute_not_exists(PK) OR notBefore <= :now",
            ExpressionAttributeValues={":now": now},
        )
    except ctx.table.meta.client.exceptions.ConditionalCheckFailedException:
        current = _get(ctx, verify_key(ctx.nit, shared_service_id)) or {}
        wait = max(1, int(current.get("notBefore", now + interval)) - now)
        raise DomainError(
            code="VERIFICATION_RATE_LIMITED",
            status=429,
            params={"seconds": wait},
            headers={"Retry-After": str(wait)},
        ) from None


def _audit(ctx: Context, action: str, shared_service_id: str, details: dict[str, Any]) -> None:
    audit.record(
        ctx.settings.audit_table_name,
        f"EMPLOYER#{ctx.nit}",
        action,
        ctx.actor,
        {"sharedServiceId": shared_service_id, **{k: v for k, v in details.items() if v is not None}},
    )
