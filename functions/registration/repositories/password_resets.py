"""Password-reset requests per document and hour (PERSON#<username> / PASSWORD_RESET, decision 0075): written
for any document, existing or not, so the quota's 429 says nothing about the account."""

from typing import Any

from registration.repositories.people import Store, person_key
from sat_common import keys


def count_request(
    store: Store, username: str, read: dict[str, Any] | None, window_start: int, count: int, expires_at: int
) -> None:
    """The window's count becomes `count`, if the item is still as it was `read` (None: there was none), so
    concurrent requests cannot exceed the quota; ConditionFailed when another request counted first."""
    item = {
        **person_key(username, keys.PASSWORD_RESET),
        "windowStart": window_start,
        "count": count,
        "expiresAt": expires_at,
    }
    if read is None:
        store.put(item, condition="attribute_not_exists(PK)")
        return
    store.put(
        item,
        condition="windowStart = :start AND #count = :count",
        names={"#count": "count"},
        values={":start": read["windowStart"], ":count": read.get("count", 0)},
    )
