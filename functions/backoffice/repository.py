"""The audit table's searches (decision 0095): Query only, on its indexes, never a Scan.

Which index serves a search (at most two Queries per page):
- `nit`: ByNit (`nitKey`), filtered by action and document when given;
- else `documentNumber`: ByActor (`actorDoc`: what the person did) and BySubject (`subjectDoc`: what was done
  about them), merged newest first, filtered by action;
- else `action`: ByAction.
`from`/`to` are a key condition on the entries' SK (`<iso>#<id>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sat_common import keys, listing

if TYPE_CHECKING:
    from backoffice.audit_search import Filters

AUDIT_PARTITION = keys.audit("")  # every audit partition starts so


def _source(index: str, attribute: str, value: str, f: Filters, *, by_document: bool) -> listing.Source:
    from boto3.dynamodb.conditions import Attr, Key  # boto3 on first use only (cold starts)

    condition = Key(attribute).eq(value)
    if f.start is not None:
        condition &= Key("SK").between(f.start, f"{f.end}#~")  # '~' sorts after the id's hex digits
    filter_ = Attr("action").eq(f.action) if f.action and attribute != "action" else None
    if f.document and by_document:
        document = keys.audit_document(f.document)
        doc = Attr("actorDoc").eq(document) | Attr("subjectDoc").eq(document)
        filter_ = doc if filter_ is None else filter_ & doc
    query: dict[str, Any] = {"IndexName": index, "KeyConditionExpression": condition}
    if filter_ is not None:
        query["FilterExpression"] = filter_
    return listing.Source(
        query=query,
        key_names=("PK", "SK", attribute),
        accept=lambda key: key[attribute] == value and key["PK"].startswith(AUDIT_PARTITION),
        order=lambda item: str(item["SK"]),
    )


def sources(f: Filters) -> list[listing.Source]:
    if f.nit:
        return [_source("ByNit", "nitKey", keys.audit_nit(f.nit), f, by_document=True)]
    if f.document:
        value = keys.audit_document(f.document)
        return [
            _source("ByActor", "actorDoc", value, f, by_document=False),
            _source("BySubject", "subjectDoc", value, f, by_document=False),
        ]
    assert f.action is not None
    return [_source("ByAction", "action", f.action, f, by_document=False)]


def audit_page(table_name: str, f: Filters, limit: int, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the entries `f` selects, newest first, and the token of the next one."""
    return listing.page(table_name, sources(f), limit, token, f.binding())
