"""Conditional writes, the append-only audit trail and the reference-source adapter, on moto."""

import json
from pathlib import Path

import boto3
import pytest

from sat_common import audit, dynamo
from sat_common.reference.dynamodb import DynamoDBReferenceSource
from sat_common.reference.seed import items_from_seed
from tests.integration.conftest import create_table

SEED = Path(__file__).resolve().parents[2] / "local/seed/reference-data.json"


def test_put_new_refuses_an_existing_key(moto):
    create_table("main")
    dynamo.put_new("main", {"PK": "X#1", "SK": "A", "value": 1})
    with pytest.raises(dynamo.ConditionFailed):
        dynamo.put_new("main", {"PK": "X#1", "SK": "A", "value": 2})
    item = boto3.resource("dynamodb").Table("main").get_item(Key={"PK": "X#1", "SK": "A"})["Item"]
    assert item["value"] == 1


def test_transaction_is_all_or_nothing(moto):
    create_table("main")
    dynamo.put_new("main", {"PK": "TAKEN", "SK": "A"})
    with pytest.raises(dynamo.ConditionFailed):
        dynamo.transact(
            [
                {"Put": {"TableName": "main", "Item": {"PK": {"S": "NEW"}, "SK": {"S": "A"}}}},
                {
                    "Put": {
                        "TableName": "main",
                        "Item": {"PK": {"S": "TAKEN"}, "SK": {"S": "A"}},
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
            ]
        )
    assert "Item" not in boto3.client("dynamodb").get_item(TableName="main", Key={"PK": {"S": "NEW"}, "SK": {"S": "A"}})


def test_aws_outage_becomes_503_with_retry_after(moto):
    from sat_common.errors import DomainError

    with pytest.raises(DomainError) as raised, dynamo.aws_faults_as_unavailable():
        boto3.client("dynamodb").get_item(TableName="does-not-exist", Key={"PK": {"S": "x"}, "SK": {"S": "y"}})
    assert raised.value.status == 503
    assert raised.value.headers["Retry-After"]


def test_audit_entries_accumulate_in_order(moto):
    create_table("audit")
    actor = audit.Actor(subject="CC-1", source_ip="203.0.113.9", user_agent="pytest")
    first = audit.record("audit", "REGISTRATION#r1", "REGISTRATION_STARTED", actor)
    second = audit.record("audit", "REGISTRATION#r1", "IDENTITY_VERIFIED", actor, {"attempt": 1})
    items = (
        boto3.resource("dynamodb")
        .Table("audit")
        .query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": "AUDIT#REGISTRATION#r1"})["Items"]
    )
    assert [item["SK"] for item in items] == sorted([first, second])
    assert [item["action"] for item in items] == ["REGISTRATION_STARTED", "IDENTITY_VERIFIED"]
    assert items[0]["sourceIp"] == "203.0.113.9"


def test_reference_adapter_reads_what_the_seed_wrote(moto):
    create_table("reference")
    document = json.loads(SEED.read_text(encoding="utf-8"))
    table = boto3.resource("dynamodb").Table("reference")
    with table.batch_writer() as batch:
        for item in items_from_seed(document):
            batch.put_item(Item=item)
    source = DynamoDBReferenceSource("reference")
    person = document["people"][0]
    found = source.person(person["documentType"], person["documentNumber"])
    assert found is not None and found.firstName == person["firstName"]
    assert found.facts.eps == person["facts"]["eps"]
    company = document["companies"][0]
    found_company = source.company(company["nit"])
    assert found_company is not None and found_company.dv == company["dv"]
    assert source.person("CC", "1") is None
    assert source.company("000000000") is None
