"""Registration attempts (REGISTRATION#<id>) and the claim that allows one in progress per document
(PERSON#<username> / REGISTRATION_CLAIM). States: flow.py."""

from collections.abc import Mapping
from typing import Any

from registration.repositories.people import Store, person_key
from sat_common import keys

STATUS = {"#status": "status"}


def registration_key(registration_id: str) -> dict[str, str]:
    return {"PK": keys.registration(registration_id), "SK": keys.REGISTRATION_ATTEMPT}


def get_registration(store: Store, registration_id: str) -> dict[str, Any] | None:
    return store.get(registration_key(registration_id))


def get_claim(store: Store, username: str) -> dict[str, Any] | None:
    return store.get(person_key(username, keys.REGISTRATION_CLAIM))


def start_registration(
    store: Store, registration: Mapping[str, Any], now: int, audit_table: str, audit_entry: Mapping[str, Any]
) -> None:
    """The claim of the document (free, or expired), the registration and its audit entry: all or nothing.
    ConditionFailed when another registration of the document is in progress."""
    registration_id, username = str(registration["registrationId"]), str(registration["username"])
    claim = {
        **person_key(username, keys.REGISTRATION_CLAIM),
        "registrationId": registration_id,
        "expiresAt": registration["expiresAt"],
    }
    store.tx().put(claim, "attribute_not_exists(PK) OR expiresAt < :now", values={":now": now}).put(
        {**registration_key(registration_id), **registration}, "attribute_not_exists(PK)"
    ).audit(audit_table, audit_entry).commit()


def extend_claim(store: Store, username: str, until: int) -> None:
    store.update(person_key(username, keys.REGISTRATION_CLAIM), "SET expiresAt = :end", values={":end": until})


def verify_identity(
    store: Store, registration_id: str, set_id: str, pending: str, verified: str, at: str, end: int
) -> None:
    """Consume the open question set (it answers once) and mark the registration verified until `end`.
    ConditionFailed when that set was answered already."""
    store.update(
        registration_key(registration_id),
        "SET #status = :verified, verifiedAt = :at, updatedAt = :at, expiresAt = :end "
        "REMOVE questionSet, questionSetId",
        condition="questionSetId = :set AND #status = :pending",
        names=STATUS,
        values={":verified": verified, ":at": at, ":end": end, ":set": set_id, ":pending": pending},
    )


def replace_question_set(
    store: Store, registration_id: str, set_id: str, pending: str, next_set: str, next_set_id: str, at: str
) -> None:
    """Consume the open question set and open `next_set` (JSON). ConditionFailed when that set was answered."""
    store.update(
        registration_key(registration_id),
        "SET questionSet = :next, questionSetId = :nextId, updatedAt = :at",
        condition="questionSetId = :set AND #status = :pending",
        names=STATUS,
        values={":next": next_set, ":nextId": next_set_id, ":at": at, ":set": set_id, ":pending": pending},
    )


def lock_registration(store: Store, registration_id: str, username: str, locked: str, at: str) -> None:
    """The registration ends locked and the document's claim is released."""
    store.update(
        registration_key(registration_id),
        "SET #status = :locked, updatedAt = :at REMOVE questionSet, questionSetId",
        names=STATUS,
        values={":locked": locked, ":at": at},
    )
    store.delete(person_key(username, keys.REGISTRATION_CLAIM))


def set_status(store: Store, registration_id: str, status: str, at: str, expires_at: int | None = None) -> None:
    """A later step's state (PASSWORD_PENDING until the link's end, COMPLETED)."""
    if expires_at is None:
        store.update(
            registration_key(registration_id),
            "SET #status = :status, updatedAt = :at",
            names=STATUS,
            values={":status": status, ":at": at},
        )
        return
    store.update(
        registration_key(registration_id),
        "SET #status = :status, updatedAt = :at, expiresAt = :end",
        names=STATUS,
        values={":status": status, ":at": at, ":end": expires_at},
    )
