"""The identity questions' memory of a person (manual §5 Paso 3, decision 0026): failed sets and the lock
(PERSON#<username> / IDENTITY_CHECK), and the person's question bank (QUESTION_SEED).

IDENTITY_CHECK: {failures, windowEndsAt, lockedUntil?, expiresAt, unlockedAt?, unlockedBy?} (epoch seconds).
"""

from typing import Any

from registration.repositories.people import Store, person_key
from sat_common import keys
from sat_common.dynamo import ConditionFailed

CLEANUP_GRACE_SECONDS = 86_400


def _check_key(username: str) -> dict[str, str]:
    return person_key(username, keys.IDENTITY_CHECK)


def get_identity_check(store: Store, username: str) -> dict[str, Any] | None:
    return store.get(_check_key(username))


def count_failure(store: Store, username: str, now: int, window: int) -> tuple[int, int]:
    """One more failed set: (failures in the window, when the window ends). The window opens with the first
    failure and a fresh count starts only once it is over; concurrent failures are each counted."""
    key = _check_key(username)
    for _ in range(3):  # only a concurrent first failure can make both conditions fail
        try:
            item = store.update(
                key, "SET failures = failures + :one", values={":one": 1, ":now": now}, condition="windowEndsAt > :now"
            )
            return int(item["failures"]), int(item["windowEndsAt"])
        except ConditionFailed:
            pass
        try:
            store.put(
                {**key, "failures": 1, "windowEndsAt": now + window, "expiresAt": now + window + CLEANUP_GRACE_SECONDS},
                condition="attribute_not_exists(PK) OR windowEndsAt <= :now",
                values={":now": now},
            )
            return 1, now + window
        except ConditionFailed:
            continue
    raise ConditionFailed("failure counter kept changing")


def lock(store: Store, username: str, until: int, window_end: int) -> None:
    store.update(
        _check_key(username),
        "SET lockedUntil = :until, windowEndsAt = :end, expiresAt = :cleanup",
        values={":until": until, ":end": window_end, ":cleanup": window_end + CLEANUP_GRACE_SECONDS},
    )


def clear(store: Store, username: str) -> None:
    """A passed set forgets the failures."""
    store.delete(_check_key(username))


def lift_lock(store: Store, username: str, now: int, at: str, by: str) -> None:
    """The help desk's unlock (decision 0091): only lockedUntil goes, the count stays as evidence.
    ConditionFailed when no lock is in force any more."""
    store.update(
        _check_key(username),
        "REMOVE lockedUntil SET unlockedAt = :at, unlockedBy = :by",
        values={":at": at, ":by": by, ":now": now},
        condition="lockedUntil > :now",
    )


def get_question_seed(store: Store, username: str) -> dict[str, Any] | None:
    return store.get(person_key(username, keys.QUESTION_SEED))


def claim_question_seed(store: Store, username: str, seed: str) -> dict[str, Any]:
    """The person's seed: this one, or the one a concurrent request wrote first."""
    key = person_key(username, keys.QUESTION_SEED)
    try:
        store.put({**key, "seed": seed}, condition="attribute_not_exists(PK)")
        return {"seed": seed}
    except ConditionFailed:
        return store.get(key) or {}


def save_question_bank(store: Store, username: str, bank: str) -> None:
    """The bank (JSON) drawn from the seed: the same for concurrent requests, so the last write is harmless."""
    store.update(person_key(username, keys.QUESTION_SEED), "SET bank = :bank", values={":bank": bank})
