"""A person's pending e-mail change (PERSON#<username> / EMAIL_CHANGE) and its confirmation links
(EMAILCHG#<sha256(token)> / TOKEN), decision 0076: only the newest link works, once."""

from typing import Any

from registration.repositories.people import Store, person_key
from sat_common import keys


def _pending_key(username: str) -> dict[str, str]:
    return person_key(username, keys.EMAIL_CHANGE)


def _link_key(token_hash: str) -> dict[str, str]:
    return {"PK": keys.email_change_token(token_hash), "SK": keys.TOKEN}


def request_change(
    store: Store,
    username: str,
    *,
    version: int,
    new_email: str,
    token_hash: str,
    token_expires_at: int,
    window_start: int,
    sent: int,
    expires_at: int,
    at: str,
) -> None:
    """The quota (`sent` links since `window_start`) and the newest link in one conditional write, so
    concurrent requests cannot exceed it; ConditionFailed when the pending change moved on from `version`."""
    store.put(
        {
            **_pending_key(username),
            "newEmail": new_email,
            "tokenHash": token_hash,
            "tokenExpiresAt": token_expires_at,
            "windowStart": window_start,
            "sentInWindow": sent,
            "version": version + 1,
            "expiresAt": expires_at,
            "updatedAt": at,
        },
        condition="attribute_not_exists(PK) OR version = :version",
        values={":version": version},
    )


def put_link(store: Store, token_hash: str, username: str, new_email: str, expires_at: int, at: str) -> None:
    store.put(
        {**_link_key(token_hash), "username": username, "newEmail": new_email, "expiresAt": expires_at, "createdAt": at}
    )


def get_link(store: Store, token_hash: str) -> dict[str, Any] | None:
    return store.get(_link_key(token_hash))


def use_link(store: Store, username: str, token_hash: str, at: str) -> None:
    """Single use; ConditionFailed when the link is not the pending change's current one (used, or replaced)."""
    store.update(
        _pending_key(username),
        "SET usedAt = :at REMOVE tokenHash",
        condition="tokenHash = :hash",
        values={":hash": token_hash, ":at": at},
    )


def restore_link(store: Store, username: str, token_hash: str) -> None:
    """Give a used link back (Cognito failed); ConditionFailed when a newer link is current."""
    store.update(
        _pending_key(username),
        "SET tokenHash = :hash REMOVE usedAt",
        condition="attribute_not_exists(tokenHash)",
        values={":hash": token_hash},
    )
