"""The CCF's public keys of a shared service: up to two, so the CCF rotates without losing a pull (decision 0102).

`POST .../keys {publicKey}` adds a key (201 with its `kid`, the RFC 7638 thumbprint); the pull's JWE goes to the
NEWEST key and names it in its `kid` header. `DELETE .../keys/{kid}` removes one. Neither sends the service back
to PENDING_VERIFICATION: a key changes who can read a pull, not where notifications go, so delivery continues.
A CCF rotates by adding the new key (its system decrypts with both), then deleting the old one.

Where keys live: the PEMs in the service's secret (`publicKeys`, oldest first, and `publicKey` = the newest, which
is what the exchange encrypts to); their metadata in the item (`publicKeys`: kid, type, format, fingerprint,
certificateNotAfter, addedAt) and the newest's in the older single-key fields (hasPublicKey, publicKeyType, ...).
An item written before 0102 has the single key only: `registered` reads it as key 1, and the next write of the
service stores it in the new layout (no batch migration needed).
"""

from __future__ import annotations

from typing import Any

from sat_common import clock
from sat_common.errors import DomainError, FieldError, invalid
from share import public_keys, secrets_store
from share.context import Context, authorize, existing, record, replace_with_version

MAX_KEYS = 2


def registered(item: dict[str, Any], stored: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """(metadata, PEM) of each key, oldest first; a single key stored before decision 0102 is key 1."""
    pems = stored.get("publicKeys")
    if pems is None:  # the layout before 0102
        pems = [stored["publicKey"]] if stored.get("publicKey") else []
    described = {entry.get("kid"): entry for entry in item.get("publicKeys") or []}
    out = []
    for pem in pems:
        parsed = public_keys.parse_stored(pem)
        added = str(item.get("updatedAt") or item["createdAt"])
        meta = described.get(parsed.kid) or public_keys.describe(parsed, added)
        out.append((meta, pem))
    return out


def apply(new: dict[str, Any], stored: dict[str, Any], slots: list[tuple[dict[str, Any], str]]) -> None:
    """Write the key set into the new item and the secret value (in place): newest last."""
    newest = slots[-1][0] if slots else None
    new["publicKeys"] = [meta for meta, _ in slots]
    new.update(
        hasPublicKey=newest is not None,
        publicKeyType=newest["keyType"] if newest else None,
        publicKeyFormat=newest["format"] if newest else None,
        publicKeyFingerprint=newest["fingerprint"] if newest else None,
        certificateNotAfter=newest.get("certificateNotAfter") if newest else None,
    )
    stored["publicKeys"] = [pem for _, pem in slots]
    stored["publicKey"] = slots[-1][1] if slots else None


def key_view(meta: dict[str, Any], newest: bool) -> dict[str, Any]:
    return {
        "kid": meta["kid"],
        "keyType": meta["keyType"],
        "format": meta["format"],
        "fingerprint": meta["fingerprint"],
        "certificateNotAfter": meta.get("certificateNotAfter"),
        "addedAt": meta["addedAt"],
        "newest": newest,
    }


def views(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The keys the API shows (never the PEM). An item from before 0102 shows its single key with `kid` null (the
    thumbprint needs the PEM, in the secret, which a read does not open); the next write stores it."""
    entries = item.get("publicKeys")
    if entries is None:
        if not item.get("hasPublicKey"):
            return []
        legacy = {
            "kid": None,
            "keyType": item.get("publicKeyType"),
            "format": item.get("publicKeyFormat"),
            "fingerprint": item.get("publicKeyFingerprint"),
            "certificateNotAfter": item.get("certificateNotAfter"),
            "addedAt": item.get("updatedAt") or item["createdAt"],
        }
        return [key_view(legacy, newest=True)]
    return [key_view(meta, index == len(entries) - 1) for index, meta in enumerate(entries)]


def _write(ctx: Context, item: dict[str, Any], stored: dict[str, Any], new: dict[str, Any]) -> None:
    new_version = secrets_store.put_version(item["secretName"], stored)
    new["secretVersionId"] = new_version
    new.update(revision=item["revision"] + 1, updatedAt=clock.stamp(), updatedBy=ctx.caller.username)
    replace_with_version(ctx, item, new, new_version)


def add(ctx: Context, shared_service_id: str, public_key: str) -> dict[str, Any]:
    authorize(ctx)
    item = existing(ctx, shared_service_id)
    try:
        parsed = public_keys.parse(public_key)
    except public_keys.KeyProblem as problem:
        raise invalid([FieldError("publicKey", problem.key, problem.params)]) from None
    stored = secrets_store.read_secret(item["secretName"], item["secretVersionId"])
    slots = registered(item, stored)
    if any(meta["kid"] == parsed.kid for meta, _ in slots):
        raise DomainError(code="SHARED_SERVICE_KEY_EXISTS", status=409, params={"kid": parsed.kid})
    if len(slots) >= MAX_KEYS:
        raise DomainError(code="SHARED_SERVICE_KEYS_FULL", status=409, params={"max": MAX_KEYS})
    meta = public_keys.describe(parsed, clock.stamp())
    new = dict(item)
    apply(new, stored, [*slots, (meta, parsed.pem)])
    _write(ctx, item, stored, new)  # the status stays: delivery does not pause (decision 0102)
    record(
        ctx,
        "SHARED_SERVICE_KEY_ADDED",
        shared_service_id,
        {"kid": parsed.kid, "publicKeyType": parsed.key_type, "keys": len(slots) + 1, "status": new["status"]},
    )
    return key_view(meta, newest=True)


def remove(ctx: Context, shared_service_id: str, kid: str) -> None:
    authorize(ctx)
    item = existing(ctx, shared_service_id)
    stored = secrets_store.read_secret(item["secretName"], item["secretVersionId"])
    slots = registered(item, stored)
    kept = [(meta, pem) for meta, pem in slots if meta["kid"] != kid]
    if len(kept) == len(slots):
        raise DomainError(code="SHARED_SERVICE_KEY_NOT_FOUND", status=404, params={"kid": kid})
    new = dict(item)
    apply(new, stored, kept)
    _write(ctx, item, stored, new)
    record(
        ctx, "SHARED_SERVICE_KEY_REMOVED", shared_service_id, {"kid": kid, "keys": len(kept), "status": new["status"]}
    )
