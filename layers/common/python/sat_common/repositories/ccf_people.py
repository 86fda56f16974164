"""A CCF's authorized persons (role items `PERSON#<username>` / `ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#<nit>`, written by
the delegation area with GSI1 `ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#<nit>` / `PERSON#<username>`) and their profiles;
the rules are in sat_common.ccf_person_access."""

from __future__ import annotations

from typing import Any

from sat_common import keys
from sat_common.items import ItemStore

AUTHORIZED_ROLE = "CAJA_DE_SUBSIDIO_FAMILIAR"


def grants(table_name: str, nit: str) -> list[tuple[str, dict[str, Any]]]:
    """(username, role item) of everyone who holds or held the authorized role for CCF <nit> (GSI1)."""
    items = ItemStore(table_name).query_all(
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": keys.role(AUTHORIZED_ROLE, nit)},
    )
    return [
        (str(item["PK"]).removeprefix(keys.PERSON), item)
        for item in items
        if str(item.get("PK", "")).startswith(keys.PERSON)
    ]


def profiles(table_name: str, usernames: list[str]) -> list[dict[str, Any]]:
    """The PROFILE items of `usernames` (empty where there is none), in their order (GetItem each: the share and
    notifications functions that send these notices may not BatchGetItem)."""
    store = ItemStore(table_name)
    return [store.get({"PK": keys.person(name), "SK": keys.PROFILE}) or {} for name in usernames]
