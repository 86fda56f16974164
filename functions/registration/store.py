"""Items of the registration area in the main table (layout in docs/decisions/0020-registration-items.md).

PK                      SK                  what
REGISTRATION#<id>       REGISTRATION        one registration attempt: basic data, state, question bank and set
PERSON#<TYPE>-<NUMBER>  REGISTRATION_CLAIM  at most one registration in progress per document (conditional put)
PERSON#<TYPE>-<NUMBER>  IDENTITY_CHECK      failed question sets in the window, lockedUntil
PERSON#<TYPE>-<NUMBER>  QUESTION_SEED       random seed that keeps each person's distractors stable
PERSON#<TYPE>-<NUMBER>  ACCOUNT             PASSWORD_PENDING/ACTIVE, current set-password token hash, e-mail quota
PERSON#<TYPE>-<NUMBER>  PROFILE             names, document, e-mail, contact data, consents summary
PERSON#<TYPE>-<NUMBER>  LOGIN_GUARD         failed logins in the window, lockedUntil
PERSON#<TYPE>-<NUMBER>  ROLE#<ROLE>[#<NIT>] the roles later areas grant (employer, delegate, CCF authorized)
SETPWD#<sha256(token)>  TOKEN               set-password token: username, registrationId, expiresAt

Times are stored twice where a person reads them: epoch seconds (comparisons, TTL `expiresAt`) and ISO
8601. DynamoDB TTL deletes late (and moto never), so every read compares times in code.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sat_common import aws
from sat_common.dynamo import ConditionFailed

REGISTRATION = "REGISTRATION"
CLAIM = "REGISTRATION_CLAIM"
IDENTITY_CHECK = "IDENTITY_CHECK"
QUESTION_SEED = "QUESTION_SEED"
ACCOUNT = "ACCOUNT"
PROFILE = "PROFILE"
LOGIN_GUARD = "LOGIN_GUARD"
ROLE_PREFIX = "ROLE#"
TOKEN = "TOKEN"  # noqa: S105 (a sort key)


def username_of(document_type: str, document_number: str) -> str:
    return f"{document_type}-{document_number}"


def person_key(username: str, sort_key: str) -> dict[str, str]:
    return {"PK": f"PERSON#{username}", "SK": sort_key}


def registration_key(registration_id: str) -> dict[str, str]:
    return {"PK": f"REGISTRATION#{registration_id}", "SK": REGISTRATION}


def token_key(token_hash: str) -> dict[str, str]:
    return {"PK": f"SETPWD#{token_hash}", "SK": TOKEN}


def plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal: turn them (deeply) into int/float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


class Store:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    @property
    def _table(self) -> Any:
        return aws.table(self.table_name)

    def get(self, key: dict[str, str]) -> dict[str, Any] | None:
        item = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
        return plain(item) if item else None

    def person_items(self, username: str) -> dict[str, dict[str, Any]]:
        """Every item of one person, by sort key: one strongly consistent Query."""
        items: dict[str, dict[str, Any]] = {}
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": f"PERSON#{username}"},
            "ConsistentRead": True,
        }
        while True:
            page = self._table.query(**kwargs)
            for item in page.get("Items", []):
                items[str(item["SK"])] = plain(item)
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def roles(self, username: str) -> list[dict[str, Any]]:
        page = self._table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :role)",
            ExpressionAttributeValues={":pk": f"PERSON#{username}", ":role": ROLE_PREFIX},
        )
        return [plain(item) for item in page.get("Items", [])]

    def put(self, item: dict[str, Any], condition: str | None = None, values: dict[str, Any] | None = None) -> None:
        kwargs: dict[str, Any] = {"Item": item}
        if condition:
            kwargs["ConditionExpression"] = condition
        if values:
            kwargs["ExpressionAttributeValues"] = values
        self._conditional(self._table.put_item, **kwargs)

    def update(
        self,
        key: dict[str, str],
        expression: str,
        values: dict[str, Any] | None = None,
        condition: str | None = None,
        names: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"Key": key, "UpdateExpression": expression, "ReturnValues": "ALL_NEW"}
        if values:
            kwargs["ExpressionAttributeValues"] = values
        if condition:
            kwargs["ConditionExpression"] = condition
        if names:
            kwargs["ExpressionAttributeNames"] = names
        response = self._conditional(self._table.update_item, **kwargs)
        return plain(response.get("Attributes", {}))

    def delete(self, key: dict[str, str]) -> None:
        self._table.delete_item(Key=key)

    def put_all(self, puts: list[tuple[dict[str, Any], str | None]], values: dict[str, Any] | None = None) -> None:
        """Several conditional puts in one transaction: all or none (ConditionFailed)."""
        from boto3.dynamodb.types import TypeSerializer

        from sat_common.dynamo import transact

        serializer = TypeSerializer()
        serialized_values = {name: serializer.serialize(value) for name, value in (values or {}).items()}
        items = []
        for item, condition in puts:
            put: dict[str, Any] = {
                "TableName": self.table_name,
                "Item": {name: serializer.serialize(value) for name, value in item.items()},
            }
            if condition:
                put["ConditionExpression"] = condition
                used = {name: value for name, value in serialized_values.items() if name in condition}
                if used:
                    put["ExpressionAttributeValues"] = used
            items.append({"Put": put})
        transact(items)

    @staticmethod
    def _conditional(call: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        try:
            return call(**kwargs)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConditionFailed from error
            raise
