"""moto in-process: each test gets fresh, empty AWS services, each request applied atomically as AWS
does (local.moto_server: the same guarantee the local runtime gives)."""

import pytest
from moto import mock_aws

from local.moto_server import serialize_in_process
from sat_common import aws

serialize_in_process()


@pytest.fixture
def moto():
    with mock_aws():
        # Clients are cached per process; a new mock needs new clients.
        aws.client.cache_clear()
        aws.table.cache_clear()
        yield
        aws.client.cache_clear()
        aws.table.cache_clear()


def create_table(name: str, gsis: int = 0) -> None:
    import boto3

    attributes = [{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "SK", "AttributeType": "S"}]
    indexes = []
    for number in range(1, gsis + 1):
        attributes += [
            {"AttributeName": f"GSI{number}PK", "AttributeType": "S"},
            {"AttributeName": f"GSI{number}SK", "AttributeType": "S"},
        ]
        indexes.append(
            {
                "IndexName": f"GSI{number}",
                "KeySchema": [
                    {"AttributeName": f"GSI{number}PK", "KeyType": "HASH"},
                    {"AttributeName": f"GSI{number}SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        )
    kwargs = {"GlobalSecondaryIndexes": indexes} if indexes else {}
    boto3.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=attributes,
        BillingMode="PAY_PER_REQUEST",
        **kwargs,
    )
