"""The first Ministry administrator's own writes (decision 0070) beside the registration area's operations it
reuses (ops.ministry_admin): the REGISTRATION record of the bootstrap, the ACCOUNT pointing at its link, and the
audit entry of what `python -m ops` did."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registration.repositories.accounts import account_key
from registration.repositories.people import Store
from registration.repositories.registrations import registration_key
from sat_common.audit import NEW_ENTRY
from sat_common.items import ItemStore


def record_bootstrap_registration(store: Store, registration_id: str, registration: Mapping[str, Any]) -> None:
    """The REGISTRATION record the bootstrap's link names, so POST /password-setup completes it as any other."""
    store.put({**registration_key(registration_id), "registrationId": registration_id, **registration})


def point_at_bootstrap_link(
    store: Store,
    username: str,
    *,
    registration_id: str,
    email: str,
    token_hash: str,
    expires_at: int,
    pending: str,
    active: str,
    at: str,
) -> None:
    """The account waits for its password with this link as the only valid one (decision 0023).
    ConditionFailed when the account is `active` (activated meanwhile: left alone)."""
    store.update(
        account_key(username),
        "SET #status = :pending, registrationId = :rid, email = :email, tokenHash = :hash, "
        "tokenExpiresAt = :end, updatedAt = :at, createdAt = if_not_exists(createdAt, :at)",
        condition="attribute_not_exists(#status) OR #status <> :active",
        names={"#status": "status"},
        values={
            ":pending": pending,
            ":rid": registration_id,
            ":email": email,
            ":hash": token_hash,
            ":end": expires_at,
            ":at": at,
            ":active": active,
        },
    )


def append_audit(audit: ItemStore, entry: Mapping[str, Any]) -> None:
    """An audit entry (sat_common.audit.entry) of the audit table ops reaches, put only on a new key."""
    audit.put(entry, NEW_ENTRY)
