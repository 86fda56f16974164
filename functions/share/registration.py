"""Register and delete a CCF's shared service (manual §6 "Compartir servicios web con la Entidad"; decisions
0050, 0106). Order of writes, so a Secrets Manager / KMS / DynamoDB fault never leaves something half-written:
- register: the secret first (a new secret, its own name), then metadata + name claim (+ purpose claim) in one
  conditional transaction; if that fails the new secret is deleted at once (it was never referenced);
- delete: the secret's deletion scheduled first (recovery window), then metadata + claims deleted in one
  transaction; if that fails the secret is restored.
A new service is INCOMPLETE until its OAuth part is stored (oauth_credentials).
"""

from __future__ import annotations

from typing import Any

from sat_common import clock
from sat_common.errors import DomainError
from sat_common.ids import new_ulid
from sat_common.shared_services import (
    INCOMPLETE,
    NOTIFICATION_PURPOSE,
    default_purpose,
    item_key,
    notification_item,
    purpose_of,
    secret_name,
)
from share import public_keys, secrets_store
from share.context import Context, authorize, existing, record
from share.models import SharedServiceCreate
from share.repository import ConditionFailed
from share.validation import Problems, key_fields


def create(ctx: Context, request: SharedServiceCreate) -> dict[str, Any]:
    authorize(ctx)
    problems = Problems()
    problems.check_url("url", request.url, ctx.settings)
    parsed = problems.parse_key(request.publicKey) if request.publicKey is not None else None
    problems.raise_if_any()

    repository = ctx.repository
    if repository.name_holder(ctx.nit, request.name):  # quick answer; the transaction below is the guard
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
    now = clock.stamp()
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
        **key_fields(parsed),
        "publicKeys": [public_keys.describe(parsed, now)] if parsed else [],
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
    try:
        repository.register(item)
    except ConditionFailed:
        secrets_store.discard_new(name)
        if notification and not repository.name_holder(ctx.nit, request.name):
            raise DomainError(code="NOTIFICATION_SERVICE_EXISTS", status=409) from None
        raise DomainError(code="SHARED_SERVICE_NAME_TAKEN", status=409, params={"name": request.name}) from None
    except Exception:
        secrets_store.discard_new(name)
        raise
    record(
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


def delete(ctx: Context, shared_service_id: str) -> None:
    authorize(ctx)
    item = existing(ctx, shared_service_id)
    days = ctx.settings.secret_recovery_days
    deletion_date = secrets_store.schedule_deletion(item["secretName"], days)
    try:
        ctx.repository.remove(item, purpose_of(item))
    except ConditionFailed:
        secrets_store.restore(item["secretName"])
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    except Exception:
        secrets_store.restore(item["secretName"])
        raise
    record(
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
