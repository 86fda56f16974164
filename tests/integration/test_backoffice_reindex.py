"""`python -m ops backoffice reindex` on moto (decisions 0092, 0093): employers written before the review queue get
their `<since>#<nit>` index key and join the queue in order; CCF activation items get their summaries recomputed;
`--dry-run` writes nothing; a second run changes nothing more."""

import boto3
import pytest

from ops.target import Target
from tests.integration.conftest import create_table

MAIN = "main"


@pytest.fixture
def ops(moto, monkeypatch):
    from ops import cli

    create_table(MAIN, gsis=2)
    target = Target(
        stack_name="SatCcf-test", region="us-east-1", outputs={"MainTableName": MAIN}, _session=boto3.Session()
    )
    monkeypatch.setattr(cli, "resolve_target", lambda args: target)
    return cli.main


def legacy_employer(table, nit: str, status: str, uploaded: str | None, updated: str) -> None:
    item = {
        "PK": f"EMPLOYER#{nit}",
        "SK": "PROFILE",
        "nit": nit,
        "status": status,
        "updatedAt": updated,
        "GSI1PK": f"EMPSTATUS#{status}",
        "GSI1SK": f"EMPLOYER#{nit}",  # as items written before decision 0092 have it
    }
    if uploaded:
        item["rut"] = {"status": "UPLOADED", "uploadedAt": uploaded}
    table.put_item(Item=item)


def queue(table) -> list[str]:
    items = table.query(
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": "EMPSTATUS#PENDING_REVIEW"},
        ScanIndexForward=True,
    )["Items"]
    return [item["nit"] for item in items]


def test_reindex_orders_old_employers_and_recomputes_ccf_summaries(ops, capsys):
    table = boto3.resource("dynamodb").Table(MAIN)
    legacy_employer(table, "900000001", "PENDING_REVIEW", "2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z")
    legacy_employer(table, "900000002", "PENDING_REVIEW", "2026-11-19T10:00:00Z", "2026-11-21T09:00:00Z")
    table.put_item(  # written after the change: already dated, the newest
        Item={
            "PK": "EMPLOYER#900000003",
            "SK": "PROFILE",
            "nit": "900000003",
            "status": "PENDING_REVIEW",
            "GSI1PK": "EMPSTATUS#PENDING_REVIEW",
            "GSI1SK": "2026-11-22T10:00:00Z#900000003",
        }
    )
    assert queue(table) == ["900000003", "900000001", "900000002"]  # the old ones last, in NIT order
    nit = "860007336"
    table.put_item(
        Item={"PK": f"CCF#{nit}", "SK": "ACTIVATION", "nit": nit, "status": "ACTIVE", "GSI1PK": "CCFS", "GSI1SK": nit}
    )
    for service, status in (("a", "ACTIVE"), ("b", "REVOKED"), ("c", "ACTIVE")):
        table.put_item(Item={"PK": f"CCF#{nit}", "SK": f"ASSIGN#{service}", "status": status})
    table.put_item(
        Item={"PK": f"EMPLOYER#{nit}", "SK": "SHARED#01J", "sharedServiceId": "01J", "name": "NotificacionTramite",
              "status": "ACTIVE", "connection": {"status": "FAILED", "checkedAt": "2026-11-22T10:00:00+00:00"}}
    )  # fmt: skip
    table.put_item(
        Item={"PK": "TRAMITE#1", "SK": "PROFILE", "numeroTransaccion": "1", "GSI1PK": f"CCF#{nit}",
              "GSI1SK": "TRAMITE#2026-11-22T09:00:00.000+00:00", "lastOutcome": "REINTENTO",
              "lastAttemptAt": "2026-11-22T09:30:00.000+00:00"}
    )  # fmt: skip

    assert ops(["--stack", "x", "--dry-run", "backoffice", "reindex"]) == 0
    assert "2 employer(s) would be" in capsys.readouterr().out
    assert queue(table)[0] == "900000003"
    assert "servicesAssigned" not in table.get_item(Key={"PK": f"CCF#{nit}", "SK": "ACTIVATION"})["Item"]

    assert ops(["--stack", "x", "backoffice", "reindex"]) == 0
    assert queue(table) == ["900000002", "900000001", "900000003"]  # by when the RUT arrived
    activation = table.get_item(Key={"PK": f"CCF#{nit}", "SK": "ACTIVATION"})["Item"]
    assert activation["servicesAssigned"] == 2
    assert activation["sharedServices"]["total"] == 1
    assert activation["sharedServices"]["notification"]["connection"] == "FAILED"
    assert activation["lastDelivery"] == {
        "numeroTransaccion": "1",
        "outcome": "REINTENTO",
        "at": "2026-11-22T09:30:00.000+00:00",
    }
    assert ops(["--stack", "x", "backoffice", "reindex"]) == 0
    assert "0 employer(s) were" in capsys.readouterr().out
