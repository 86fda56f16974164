"""Change the service part of a shared service: name, description, purpose, url, operation, example body and the
single public key (PATCH; manual §6 "Compartir servicios web con la Entidad").

- A new `url` needs every stored secret again and is e-mailed to the CCF's other authorized persons (decision
  0054); the service waits for a connection test, while notifications go on to the last verified configuration
  (decision 0111).
- A key change does not pause delivery: it changes who reads the pull, not where we post (decision 0102).
- Writes: a new secret version first when a secret part changes, then the metadata conditional on `revision`
  with the name and purpose claims; if that fails AWSCURRENT goes back to the version the item names (0050).
"""

from __future__ import annotations

from typing import Any

from sat_common import clock
from sat_common.errors import DomainError, FieldError, invalid
from sat_common.shared_services import INCOMPLETE, NOTIFICATION_PURPOSE, notification_item, purpose_of
from share import key_slots, public_keys, secrets_store
from share.context import Context, authorize, compensate_version, existing, record
from share.models import SharedServicePatch
from share.notices import tell_destination_changed
from share.repository import ConditionFailed, NameChange
from share.validation import Problems, secrets_required
from share.verified_configuration import await_verification
from share.views import view

REQUIRED_WHEN_SENT = ("name", "description", "purpose", "url", "operation", "password", "clientSecret")


def patch(ctx: Context, shared_service_id: str, request: SharedServicePatch) -> dict[str, Any]:
    activation = authorize(ctx)
    sent = request.model_fields_set
    if not sent:
        raise invalid([FieldError("body", "empty_patch")])
    for required in REQUIRED_WHEN_SENT:
        if required in sent and getattr(request, required) is None:
            raise invalid([FieldError(required, "missing")])
    item = existing(ctx, shared_service_id)

    problems = Problems()
    if request.url is not None and request.url != item["url"]:
        problems.check_url("url", request.url, ctx.settings)
    parsed = problems.parse_key(request.publicKey) if request.publicKey is not None else None
    problems.raise_if_any()
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

    if "url" in changed and item["status"] != INCOMPLETE:
        await_verification(new, item)
    new.update(revision=item["revision"] + 1, updatedAt=clock.stamp(), updatedBy=ctx.caller.username)

    new_version = None
    if key_changed or new_secrets:
        stored = secrets_store.read_secret(item["secretName"], item["secretVersionId"])
        if key_changed:
            slots = [(public_keys.describe(parsed, new["updatedAt"]), parsed.pem)] if parsed else []
            key_slots.apply(new, stored, slots)
        stored.update(new_secrets)
        new_version = secrets_store.put_version(item["secretName"], stored)
        new["secretVersionId"] = new_version

    name_change = NameChange(item["name"], new["name"]) if "name" in changed else None
    try:
        ctx.repository.replace(new, item["revision"], purpose_before=purpose_of(item), name_change=name_change)
    except ConditionFailed:
        compensate_version(item, new_version)
        repository = ctx.repository
        if name_change and name_change.renamed and repository.name_holder(ctx.nit, new["name"]):
            raise DomainError(code="SHARED_SERVICE_NAME_TAKEN", status=409, params={"name": new["name"]}) from None
        holder = repository.purpose_holder(ctx.nit)
        if new["purpose"] == NOTIFICATION_PURPOSE and holder and holder != shared_service_id:
            raise DomainError(code="NOTIFICATION_SERVICE_EXISTS", status=409) from None
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    except Exception:
        compensate_version(item, new_version)
        raise
    record(
        ctx,
        "SHARED_SERVICE_UPDATED",
        shared_service_id,
        {"changed": changed, "secretsChanged": sorted(new_secrets) or None, "status": new["status"]},
    )
    if "url" in changed:
        tell_destination_changed(ctx, activation, new, ["url"])
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
    secrets_required(["url"], [name for name in needed if name == "clientSecret" or with_password])
    return {"password": sent.get("password"), "clientSecret": sent["clientSecret"]}
