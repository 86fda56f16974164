"""The table of the registration area and reads across one person's items (all of PERSON#<username>)."""

import time
from typing import Any

from sat_common import keys
from sat_common.items import ItemStore, plain

BATCH_GET_MAX = 100  # DynamoDB's BatchGetItem limit


class Store(ItemStore):
    """The main table, as the registration area's repositories reach it."""

    def batch_get(self, item_keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        """The items of `item_keys` that exist (at most 100: one BatchGetItem, again only for unprocessed keys)."""
        assert len(item_keys) <= BATCH_GET_MAX
        found: list[dict[str, Any]] = []
        request = {self.table_name: {"Keys": item_keys, "ConsistentRead": True}} if item_keys else {}
        for attempt in range(5):
            if not request:
                return found
            if attempt:
                time.sleep(0.05 * 2**attempt)  # throttled: back off before asking for the rest
            response = self.table.meta.client.batch_get_item(RequestItems=request)
            found += [plain(item) for item in response.get("Responses", {}).get(self.table_name, [])]
            request = response.get("UnprocessedKeys") or {}
        raise RuntimeError("BatchGetItem kept leaving keys unprocessed")


def person_key(username: str, kind: str) -> dict[str, str]:
    """One of a person's items: `kind` is its sort key (sat_common.keys.ACCOUNT, PROFILE…)."""
    return {"PK": keys.person(username), "SK": kind}


def person_items(store: Store, username: str) -> dict[str, dict[str, Any]]:
    """Every item of one person, by sort key: one strongly consistent Query."""
    items = store.query_all(
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": keys.person(username)},
        ConsistentRead=True,
    )
    return {str(item["SK"]): item for item in items}


def roles(store: Store, username: str) -> list[dict[str, Any]]:
    """The person's role items (ROLE#<ROLE>[#<NIT>]) that later areas write."""
    return store.query_all(
        KeyConditionExpression="PK = :pk AND begins_with(SK, :role)",
        ExpressionAttributeValues={":pk": keys.person(username), ":role": keys.ROLE},
    )


def profiles_and_totp(
    store: Store, usernames: list[str]
) -> dict[str, tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """Each person's PROFILE and MFA_TOTP items (the operators' list): one BatchGetItem per 50 people."""
    wanted = [person_key(username, kind) for username in usernames for kind in (keys.PROFILE, keys.MFA_TOTP)]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for start in range(0, len(wanted), BATCH_GET_MAX):
        for item in store.batch_get(wanted[start : start + BATCH_GET_MAX]):
            found[(str(item["PK"]), str(item["SK"]))] = item
    return {
        username: (
            found.get((keys.person(username), keys.PROFILE)),
            found.get((keys.person(username), keys.MFA_TOTP)),
        )
        for username in usernames
    }
