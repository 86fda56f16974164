"""`python -m ops backoffice reindex`: give items written before the back office (issue 12) the keys and summaries
its lists read (decisions 0092, 0093). Idempotent; Query only (every employer status's GSI1 partition, the CCF
list's partition and each CCF's own items), never Scan.

- Employers whose GSI1SK is still `EMPLOYER#<nit>` get `<since>#<nit>` (since: the RUT's uploadedAt in
  PENDING_REVIEW, confirmedAt in REGISTERED, else updatedAt), so the review queue puts them in order. Until then
  they are listed after the others, never lost.
- Every CCF activation item gets its summaries recomputed: servicesAssigned (ACTIVE assignments),
  sharedServices (sat_common.ccf_summary) and lastDelivery (the newest attempt among its newest trámites).
"""

from __future__ import annotations

from typing import Any

from ops import target as outputs
from ops.target import Target

STATUSES = ("DRAFT", "RUT_REQUIRED", "PENDING_REVIEW", "RUT_REJECTED", "REGISTERED")
RECENT_TRAMITES = 25


def _query_all(table: Any, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = table.query(**kwargs)
        items.extend(page.get("Items", []))
        if not page.get("LastEvaluatedKey"):
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def employer_since(item: dict[str, Any]) -> str:
    rut = item.get("rut") or {}
    if item.get("status") == "PENDING_REVIEW" and rut.get("uploadedAt"):
        return str(rut["uploadedAt"])
    if item.get("status") == "REGISTERED" and item.get("confirmedAt"):
        return str(item["confirmedAt"])
    return str(item.get("updatedAt") or item.get("createdAt") or "")


def reindex(target: Target, *, dry_run: bool) -> dict[str, int]:
    from boto3.dynamodb.conditions import Attr, Key
    from botocore.exceptions import ClientError

    from sat_common import ccf_summary
    from sat_common.items import plain

    table = target.table(target.output(outputs.MAIN_TABLE))
    counts = {"employers": 0, "ccfs": 0}
    for status in STATUSES:
        legacy = _query_all(
            table,
            IndexName="GSI1",
            KeyConditionExpression=Key("GSI1PK").eq(f"EMPSTATUS#{status}") & Key("GSI1SK").begins_with("EMPLOYER#"),
        )
        for item in legacy:
            counts["employers"] += 1
            if dry_run:
                continue
            try:
                table.update_item(
                    Key={"PK": item["PK"], "SK": item["SK"]},
                    UpdateExpression="SET GSI1SK = :new",
                    ConditionExpression=Attr("GSI1SK").eq(item["GSI1SK"]),
                    ExpressionAttributeValues={":new": f"{employer_since(item)}#{item['nit']}"},
                )
            except ClientError as error:  # changed meanwhile: its own write set the new key
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
    for activation in _query_all(table, IndexName="GSI1", KeyConditionExpression=Key("GSI1PK").eq("CCFS")):
        nit = str(activation["nit"])
        assignments = _query_all(
            table, KeyConditionExpression=Key("PK").eq(f"CCF#{nit}") & Key("SK").begins_with("ASSIGN#")
        )
        shared = _query_all(
            table, KeyConditionExpression=Key("PK").eq(f"EMPLOYER#{nit}") & Key("SK").begins_with("SHARED#")
        )
        recent = table.query(
            IndexName="GSI1",
            KeyConditionExpression=Key("GSI1PK").eq(f"CCF#{nit}") & Key("GSI1SK").begins_with("TRAMITE#"),
            ScanIndexForward=False,
            Limit=RECENT_TRAMITES,
        ).get("Items", [])
        attempted = [t for t in recent if t.get("lastAttemptAt") and t.get("lastOutcome")]
        newest = max(attempted, key=lambda t: str(t["lastAttemptAt"]), default=None)
        counts["ccfs"] += 1
        if dry_run:
            continue
        values: dict[str, Any] = {
            ":count": sum(1 for a in assignments if a.get("status") == "ACTIVE"),
            ":shared": ccf_summary.shared_services_summary([plain(s) for s in shared]),
        }
        expression = "SET servicesAssigned = :count, sharedServices = :shared"
        if newest is not None:
            expression += ", lastDelivery = :delivery, lastDeliveryAt = :at"
            values[":delivery"] = {
                "numeroTransaccion": str(newest["numeroTransaccion"]),
                "outcome": str(newest["lastOutcome"]),
                "at": str(newest["lastAttemptAt"]),
            }
            values[":at"] = str(newest["lastAttemptAt"])
        table.update_item(
            Key={"PK": activation["PK"], "SK": activation["SK"]},
            UpdateExpression=expression,
            ConditionExpression=Attr("PK").exists(),
            ExpressionAttributeValues=values,
        )
    return counts
