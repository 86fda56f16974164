"""Accounts (PERSON#<username> / ACCOUNT) and their set-password links (SETPWD#<sha256(token)> / TOKEN).

Only SHA-256 of a link's token is stored, and a link works only while it is the ACCOUNT's `tokenHash`: the
newest link replaces the older, and using it removes it (decision 0023). A link's `purpose` tells a welcome link
(a `registrationId`), a password reset (RESET, decision 0075) and an operator's invitation (OPERATOR_INVITE,
decision 0090) apart.
"""

from collections.abc import Mapping
from typing import Any

from registration.repositories.people import Store, person_key
from sat_common import keys

STATUS = {"#status": "status"}
# What the welcome e-mail's slot changes (claim_email_slot), so a failed e-mail can give it back.
EMAIL_SLOT_FIELDS = ("tokenHash", "tokenExpiresAt", "lastEmailAt", "emailWindowStart", "emailsInWindow")


def account_key(username: str) -> dict[str, str]:
    return person_key(username, keys.ACCOUNT)


def link_key(token_hash: str) -> dict[str, str]:
    return {"PK": keys.set_password_token(token_hash), "SK": keys.TOKEN}


def get_account(store: Store, username: str) -> dict[str, Any] | None:
    return store.get(account_key(username))


# --- set-password links ------------------------------------------------------------------------------------


def put_link(
    store: Store,
    token_hash: str,
    username: str,
    expires_at: int,
    at: str,
    *,
    registration_id: str | None = None,
    purpose: str | None = None,
) -> None:
    item: dict[str, Any] = {**link_key(token_hash), "username": username, "expiresAt": expires_at, "createdAt": at}
    if registration_id:
        item["registrationId"] = registration_id
    if purpose:
        item["purpose"] = purpose
    store.put(item)


def get_link(store: Store, token_hash: str) -> dict[str, Any] | None:
    return store.get(link_key(token_hash))


def use_link(store: Store, username: str, token_hash: str, expected_status: str, at: str) -> None:
    """Single use: the link stops being current. ConditionFailed when it is not (used, or replaced), or the
    account is not in `expected_status`."""
    store.update(
        account_key(username),
        "SET tokenUsedAt = :at REMOVE tokenHash",
        condition="tokenHash = :hash AND #status = :expected",
        names=STATUS,
        values={":hash": token_hash, ":expected": expected_status, ":at": at},
    )


def restore_link(store: Store, username: str, token_hash: str) -> None:
    """Give a used link back (Cognito refused the password); ConditionFailed when a newer one is current."""
    store.update(
        account_key(username),
        "SET tokenHash = :hash REMOVE tokenUsedAt",
        condition="attribute_not_exists(tokenHash)",
        values={":hash": token_hash},
    )


# --- account states --------------------------------------------------------------------------------------------


def claim_email_slot(
    store: Store,
    username: str,
    *,
    version: int,
    registration_id: str,
    email: str,
    token_hash: str,
    token_expires_at: int,
    now: int,
    window_start: int,
    sent: int,
    pending: str,
    active: str,
    at: str,
) -> None:
    """Paso 4: the welcome e-mail's slot (`sent` in the quota window from `window_start`) and the new link as
    the only valid one, the account waiting for its password (`pending`), in one conditional write.
    ConditionFailed when the account changed since it was read (`version`) or is `active`."""
    store.update(
        account_key(username),
        "SET #status = :pending, registrationId = :rid, email = :email, tokenHash = :hash, "
        "tokenExpiresAt = :tokenEnd, lastEmailAt = :now, emailWindowStart = :windowStart, "
        "emailsInWindow = :sent, version = :next, updatedAt = :at, createdAt = if_not_exists(createdAt, :at)",
        condition="(attribute_not_exists(PK) OR version = :version) AND NOT #status = :active",
        names=STATUS,
        values={
            ":pending": pending,
            ":rid": registration_id,
            ":email": email,
            ":hash": token_hash,
            ":tokenEnd": token_expires_at,
            ":now": now,
            ":windowStart": window_start,
            ":sent": sent,
            ":next": version + 1,
            ":version": version,
            ":at": at,
            ":active": active,
        },
    )


def release_email_slot(store: Store, username: str, version: int, previous: Mapping[str, Any]) -> None:
    """Put back what claim_email_slot replaced (`previous`: EMAIL_SLOT_FIELDS, None where absent), if nothing
    changed the account since (`version`, the one claim_email_slot wrote); ConditionFailed otherwise."""
    sets = ["version = :next"]
    removes = []
    values: dict[str, Any] = {":next": version + 1, ":version": version}
    for name in EMAIL_SLOT_FIELDS:
        value = previous.get(name)
        if value is None:
            removes.append(name)
        else:
            sets.append(f"{name} = :{name}")
            values[f":{name}"] = value
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    store.update(account_key(username), expression, values=values, condition="version = :version")


def activate(store: Store, username: str, active: str, at: str) -> None:
    store.update(
        account_key(username),
        "SET #status = :active, activatedAt = :at, updatedAt = :at",
        names=STATUS,
        values={":active": active, ":at": at},
    )


def point_at_reset_link(store: Store, username: str, token_hash: str, expires_at: int, active: str, at: str) -> None:
    """The reset link becomes the only valid one (decision 0075); ConditionFailed unless the account is active."""
    store.update(
        account_key(username),
        "SET tokenHash = :hash, tokenExpiresAt = :end, resetRequestedAt = :at, updatedAt = :at",
        condition="#status = :active",
        names=STATUS,
        values={":hash": token_hash, ":end": expires_at, ":at": at, ":active": active},
    )


def point_at_invitation_link(
    store: Store, username: str, email: str, token_hash: str, expires_at: int, pending: str, active: str, at: str
) -> None:
    """An operator's invitation (decision 0090): the account waits for its password with this link as the only
    valid one. ConditionFailed when the account is active already."""
    store.update(
        account_key(username),
        "SET #status = :pending, email = :email, tokenHash = :hash, tokenExpiresAt = :end, updatedAt = :at, "
        "createdAt = if_not_exists(createdAt, :at)",
        condition="attribute_not_exists(#status) OR #status <> :active",
        names=STATUS,
        values={
            ":pending": pending,
            ":email": email,
            ":hash": token_hash,
            ":end": expires_at,
            ":at": at,
            ":active": active,
        },
    )


def change_email(store: Store, username: str, email: str, at: str) -> None:
    store.update(account_key(username), "SET email = :email, updatedAt = :at", values={":email": email, ":at": at})
