"""Item access to a DynamoDB table (the main table's areas share it): get, put, update, delete, query,
all-or-nothing transactions and opaque pagination tokens.

Items come back `plain` (numbers as int/float, not Decimal). A write whose condition does not hold
raises sat_common.dynamo.ConditionFailed, whether it is a single write or a transaction. boto3 is
imported on first use only (cold starts), through sat_common.aws.
"""

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from sat_common import aws
from sat_common.dynamo import ConditionFailed, transact
from sat_common.errors import FieldError, invalid

__all__ = [
    "ConditionFailed",
    "ItemStore",
    "Transaction",
    "decode_page_token",
    "encode_page_token",
    "plain",
]

Key = Mapping[str, str]
Names = Mapping[str, str] | None
Values = Mapping[str, Any] | None
Page = tuple[list[dict[str, Any]], dict[str, Any] | None]


def plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal: turn them (deeply) into int/float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def _with_expressions(
    request: dict[str, Any], condition: str | None, names: Names, values: Values, serialize: Callable[..., Any] = dict
) -> dict[str, Any]:
    if condition:
        request["ConditionExpression"] = condition
    if names:
        request["ExpressionAttributeNames"] = dict(names)
    if values:
        request["ExpressionAttributeValues"] = serialize(values)
    return request


class Transaction:
    """Builder of one TransactWriteItems call (low-level shapes, serialized here); `commit` writes all or
    nothing and raises ConditionFailed when any condition does not hold."""

    def __init__(self, table_name: str) -> None:
        from boto3.dynamodb.types import TypeSerializer

        self.table_name = table_name
        self._serializer = TypeSerializer()
        self.items: list[dict[str, Any]] = []

    def _serialize(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {name: self._serializer.serialize(value) for name, value in values.items()}

    def _add(
        self,
        kind: str,
        body: dict[str, Any],
        condition: str | None,
        names: Names,
        values: Values,
        table_name: str | None = None,
    ) -> None:
        body["TableName"] = table_name or self.table_name
        self.items.append({kind: _with_expressions(body, condition, names, values, self._serialize)})

    def put(
        self,
        item: Mapping[str, Any],
        condition: str | None = None,
        names: Names = None,
        values: Values = None,
        table_name: str | None = None,
    ) -> "Transaction":
        """`table_name`: another table of the same transaction (e.g. the audit entry of this change)."""
        self._add("Put", {"Item": self._serialize(item)}, condition, names, values, table_name)
        return self

    def audit(self, table_name: str, item: Mapping[str, Any]) -> "Transaction":
        """The audit entry (sat_common.audit.entry) of this change, committed with it or not at all."""
        from sat_common.audit import NEW_ENTRY

        return self.put(item, NEW_ENTRY, table_name=table_name)

    def update(
        self, key: Key, expression: str, condition: str | None = None, names: Names = None, values: Values = None
    ) -> "Transaction":
        self._add("Update", {"Key": self._serialize(key), "UpdateExpression": expression}, condition, names, values)
        return self

    def check(self, key: Key, condition: str, names: Names = None, values: Values = None) -> "Transaction":
        self._add("ConditionCheck", {"Key": self._serialize(key)}, condition, names, values)
        return self

    def delete(
        self, key: Key, condition: str | None = None, names: Names = None, values: Values = None
    ) -> "Transaction":
        self._add("Delete", {"Key": self._serialize(key)}, condition, names, values)
        return self

    def commit(self) -> None:
        transact(self.items)


class ItemStore:
    """One table's items. Areas subclass it with their own keys and queries."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    @property
    def table(self) -> Any:
        return aws.table(self.table_name)

    def get(self, key: Key, consistent: bool = True) -> dict[str, Any] | None:
        item = self.table.get_item(Key=dict(key), ConsistentRead=consistent).get("Item")
        return plain(item) if item else None

    def get_many(
        self, keys: Iterable[Key], consistent: bool = True, attributes: Iterable[str] = ()
    ) -> list[dict[str, Any] | None]:
        """The items of `keys` (None where there is none), in the keys' order, read together: one BatchGetItem
        per 100 keys (a route's reads in one round trip); keys DynamoDB leaves unprocessed are asked again.
        `attributes`: only these (and the keys) come back, e.g. not a service's OpenAPI document."""
        wanted = [dict(key) for key in keys]
        if not wanted:
            return []
        names = sorted(wanted[0])  # the table's key attributes
        projection: dict[str, Any] = {}
        if attributes:
            placeholders = {f"#a{n}": name for n, name in enumerate(dict.fromkeys([*names, *attributes]))}
            projection = {"ProjectionExpression": ", ".join(placeholders), "ExpressionAttributeNames": placeholders}

        def identity(item: Mapping[str, Any]) -> tuple[Any, ...]:
            return tuple(item[name] for name in names)

        unique = list({identity(key): key for key in wanted}.values())
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        client = self.table.meta.client  # the resource's client: Python values in and out
        for start in range(0, len(unique), 100):
            pending: list[dict[str, Any]] = unique[start : start + 100]
            for _attempt in range(10):
                if not pending:
                    break
                request = {self.table_name: {"Keys": pending, "ConsistentRead": consistent, **projection}}
                response = client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self.table_name, []):
                    found[identity(item)] = plain(item)
                pending = response.get("UnprocessedKeys", {}).get(self.table_name, {}).get("Keys", [])
            for key in pending:  # DynamoDB kept refusing (throttling): one GetItem each
                item = self.table.get_item(Key=key, ConsistentRead=consistent, **projection).get("Item")
                if item:
                    found[identity(key)] = plain(item)
        return [found.get(identity(key)) for key in wanted]

    def put(
        self, item: Mapping[str, Any], condition: str | None = None, names: Names = None, values: Values = None
    ) -> None:
        request = _with_expressions({"Item": dict(item)}, condition, names, values)
        self._conditional(self.table.put_item, request)

    def update(
        self, key: Key, expression: str, condition: str | None = None, names: Names = None, values: Values = None
    ) -> dict[str, Any]:
        """The item as it is after the update (ALL_NEW), plain."""
        request = {"Key": dict(key), "UpdateExpression": expression, "ReturnValues": "ALL_NEW"}
        response = self._conditional(self.table.update_item, _with_expressions(request, condition, names, values))
        return plain(response.get("Attributes", {}))  # type: ignore[no-any-return]

    def delete(self, key: Key, condition: str | None = None, names: Names = None, values: Values = None) -> None:
        self._conditional(self.table.delete_item, _with_expressions({"Key": dict(key)}, condition, names, values))

    def query(self, **kwargs: Any) -> Page:
        """One page of a Query (boto3 resource keyword arguments): the items and LastEvaluatedKey."""
        page = self.table.query(**kwargs)
        return [plain(item) for item in page.get("Items", [])], page.get("LastEvaluatedKey")

    def query_all(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Every page of a Query."""
        items: list[dict[str, Any]] = []
        while True:
            page, last = self.query(**kwargs)
            items += page
            if not last:
                return items
            kwargs["ExclusiveStartKey"] = last

    def tx(self) -> Transaction:
        return Transaction(self.table_name)

    @staticmethod
    def _conditional(call: Callable[..., Any], request: dict[str, Any]) -> Any:
        from botocore.exceptions import ClientError

        try:
            return call(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConditionFailed from error
            raise


# --------------------------------------------------------------------------- pagination
def encode_page_token(last_key: Mapping[str, Any]) -> str:
    """An opaque nextToken for a Query's LastEvaluatedKey (URL-safe base64 of JSON, without padding)."""
    return base64.urlsafe_b64encode(json.dumps(dict(last_key), sort_keys=True).encode()).decode().rstrip("=")


def decode_page_token(
    token: str,
    keys: Iterable[str] = ("PK", "SK"),
    *,
    accept: Callable[[dict[str, str]], bool] | None = None,
    message: str = "next_token_invalid",
) -> dict[str, str]:
    """The ExclusiveStartKey a nextToken of `encode_page_token` stands for: exactly `keys`, all strings, and
    `accept` (the area's own check, e.g. the partition the caller may list) holds. Anything else: 422 on
    the field nextToken with the message `message` (a key of sat_common.i18n.FIELD_MESSAGES)."""
    try:
        key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if (
        not isinstance(key, dict)
        or set(key) != set(keys)
        or not all(isinstance(value, str) for value in key.values())
        or (accept is not None and not accept(key))
    ):
        raise invalid([FieldError("nextToken", message)])
    return key
