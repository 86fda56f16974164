"""The audit table's one write: an entry put only on a new key (sat_common.audit builds the entries)."""

from collections.abc import Mapping
from typing import Any

from sat_common import aws

NEW_ENTRY = "attribute_not_exists(PK)"  # the condition every entry is written with, alone or in a transaction


def append(table_name: str, item: Mapping[str, Any]) -> None:
    aws.table(table_name).put_item(Item=dict(item), ConditionExpression=NEW_ENTRY)
