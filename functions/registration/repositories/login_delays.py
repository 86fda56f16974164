"""Sign-in delays per (account, source) (PERSON#<username> / LOGIN_DELAY#<source>, decision 0028):
{failures, delayUntil?, expiresAt} in epoch seconds."""

from typing import Any

from registration.repositories.people import Store, person_key
from sat_common import keys
from sat_common.dynamo import ConditionFailed


def _delay_key(username: str, source: str) -> dict[str, str]:
    return person_key(username, keys.login_delay(source))


def get_delay(store: Store, username: str, source: str) -> dict[str, Any] | None:
    return store.get(_delay_key(username, source))


def count_failure(store: Store, username: str, source: str, now: int, memory: int) -> int:
    """One more failure of the source: how many there are now. A count older than `memory` starts again at 1."""
    key = _delay_key(username, source)
    expires = now + memory
    for _ in range(3):  # only a concurrent first failure can make both conditions fail
        try:
            item = store.update(
                key,
                "SET failures = failures + :one, expiresAt = :expires",
                condition="expiresAt > :now",
                values={":one": 1, ":now": now, ":expires": expires},
            )
            return int(item["failures"])
        except ConditionFailed:
            pass
        try:  # none yet, or a forgotten one: start again at 1
            store.put(
                {**key, "failures": 1, "expiresAt": expires},
                condition="attribute_not_exists(PK) OR expiresAt <= :now",
                values={":now": now},
            )
            return 1
        except ConditionFailed:
            continue
    raise ConditionFailed("failure counter kept changing")


def delay(store: Store, username: str, source: str, until: int) -> None:
    """The source waits until `until`; ConditionFailed when a concurrent failure set a later instant."""
    store.update(
        _delay_key(username, source),
        "SET delayUntil = :until",
        condition="attribute_not_exists(delayUntil) OR delayUntil < :until",
        values={":until": until},
    )


def clear(store: Store, username: str, source: str) -> None:
    store.delete(_delay_key(username, source))


def clear_all(store: Store, username: str) -> int:
    """Every source's delay of one person (the help desk's unlock); how many were cleared."""
    items = store.query_all(
        KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues={":pk": keys.person(username), ":prefix": keys.LOGIN_DELAY},
        ConsistentRead=True,
    )
    for item in items:
        store.delete({"PK": item["PK"], "SK": item["SK"]})
    return len(items)
