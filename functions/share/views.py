"""What the API shows of a shared service: its metadata, never a secret (decision 0050)."""

from __future__ import annotations

from typing import Any

from sat_common.shared_services import VERIFIED_CONFIGURATION, purpose_of
from share import key_slots


def oauth_view(oauth: dict[str, Any] | None, has_password: bool) -> dict[str, Any] | None:
    if not oauth:
        return None
    return {
        "tokenName": oauth["tokenName"],
        "tokenUrl": oauth["tokenUrl"],
        "username": oauth.get("username"),
        "clientId": oauth["clientId"],
        "scope": oauth.get("scope"),
        "grantType": "password" if oauth.get("username") and has_password else "client_credentials",
    }


def verified_view(item: dict[str, Any]) -> dict[str, Any] | None:
    """Where notifications still go while the current configuration waits for its connection test (decision
    0111); None when they go to the current one (ACTIVE) or nowhere."""
    verified = item.get(VERIFIED_CONFIGURATION)
    if not verified or item.get("status") != "PENDING_VERIFICATION":
        return None
    oauth = verified.get("oauth")
    return {
        "url": verified["url"],
        "oauth": oauth_view(oauth, bool(oauth and oauth.get("username") and verified.get("hasPassword"))),
        "checkedAt": verified.get("checkedAt"),
    }


def view(item: dict[str, Any]) -> dict[str, Any]:
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
        "oauth": oauth_view(item.get("oauth"), bool(item.get("hasPassword"))),
        "connection": item.get("connection"),
        "verifiedConfiguration": verified_view(item),
        "createdAt": item["createdAt"],
        "updatedAt": item["updatedAt"],
    }
