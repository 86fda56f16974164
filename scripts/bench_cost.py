"""Package sizes from cdk.out, and an estimated AWS cost per 1,000 journeys from measured calls (scripts/bench.py).

Prices: us-east-1 public list prices as remembered on 2026-11-26 - ASSUMPTIONS, check the AWS price pages before
relying on them. Free tiers are ignored.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

PRICES_USD = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_s_arm64": 0.0000133334,
    "apigw_rest_request": 3.50 / 1e6,
    "dynamodb_rru": 0.125 / 1e6,  # on-demand read request unit
    "dynamodb_wru": 0.625 / 1e6,  # on-demand write request unit
    "kms_request": 0.03 / 1e4,
    "secretsmanager_call": 0.05 / 1e4,
    "ses_email": 0.10 / 1e3,
    "sqs_request": 0.40 / 1e6,
    "s3_put": 0.005 / 1e3,
    "s3_get": 0.0004 / 1e3,
}
ASSUMPTIONS = [
    "region us-east-1, list prices remembered (not fetched): Lambda $0.20/M requests + $0.0000133334/GB-s (arm64); "
    "API Gateway REST $3.50/M; DynamoDB on-demand $0.125/M RRU, $0.625/M WRU; KMS $0.03/10k; Secrets Manager "
    "$0.05/10k calls; SES $0.10/1,000 e-mails; SQS $0.40/M requests; S3 $0.005/1,000 PUT, $0.0004/1,000 GET",
    "free tiers ignored; secrets/keys monthly fees, CloudWatch Logs, X-Ray and data transfer not included",
    "Cognito: billed per monthly active user, not per registration - not in these figures",
    "Lambda duration: the handler time measured in the local function processes (x86, moto over HTTP), "
    "rounded up to 1 ms, times the function's configured memory",
    "DynamoDB units: 1 RRU per GetItem/Query/BatchGet call, 1 WRU per Put/Update/Delete, "
    "4 WRU per TransactWriteItems (2 items x 2): items assumed under 1 KB",
    "SQS: each SendMessage also costs one ReceiveMessage and one DeleteMessage by the event source mapping",
    "API Gateway: one request per API invocation recorded (authorizer invocations are not API requests)",
]


def _dir_sizes(path: Path) -> tuple[int, int]:
    """(unzipped bytes, zipped bytes with deflate) of a directory, or of a .zip asset."""
    if path.is_file():
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist()), path.stat().st_size
    buffer = io.BytesIO()
    unzipped = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            if file.is_file():
                unzipped += file.stat().st_size
                archive.write(file, file.relative_to(path))
    return unzipped, len(buffer.getvalue())


def package_sizes(template_path: Path) -> dict[str, Any]:
    template = json.loads(template_path.read_text(encoding="utf-8"))
    cdk_out = template_path.parent
    figures: dict[str, Any] = {}
    for logical_id, resource in sorted(template["Resources"].items()):
        kind = resource["Type"]
        if kind not in ("AWS::Lambda::Function", "AWS::Lambda::LayerVersion"):
            continue
        asset = (resource.get("Metadata") or {}).get("aws:asset:path")
        if not asset:
            continue
        unzipped, zipped = _dir_sizes(cdk_out / asset)
        if kind == "AWS::Lambda::Function":
            name = str(resource["Properties"].get("FunctionName", logical_id))
            label = "function " + name.rsplit("-", 1)[-1]
        else:
            label = "layer " + (
                "dependencies" if "Dependencies" in logical_id else "common" if "Common" in logical_id else logical_id
            )
        figures[label] = {"unzipped_kb": round(unzipped / 1024, 1), "zipped_kb": round(zipped / 1024, 1)}
    return figures


def memory_by_function(template_path: Path) -> dict[str, int]:
    template = json.loads(template_path.read_text(encoding="utf-8"))
    memory: dict[str, int] = {}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function" and isinstance(resource["Properties"].get("FunctionName"), str):
            memory[resource["Properties"]["FunctionName"]] = int(resource["Properties"].get("MemorySize", 128))
    return memory


def _units(operation: str, count: float) -> dict[str, float]:
    service, _, name = operation.partition(".")
    if service == "dynamodb":
        if name in ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"):
            return {"dynamodb_rru": count * (2 if name == "TransactGetItems" else 1)}
        if name == "TransactWriteItems":
            return {"dynamodb_wru": 4 * count}
        if name in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"):
            return {"dynamodb_wru": count}
        return {}
    if service == "kms":
        return {"kms_request": count}
    if service in ("secretsmanager", "secrets-manager"):
        return {"secretsmanager_call": count}
    if service in ("ses", "sesv2") and name.startswith("Send"):
        return {"ses_email": count}
    if service == "sqs" and name.startswith("SendMessage"):
        return {"sqs_request": 3 * count}
    if service == "s3":
        if name in ("PutObject",):
            return {"s3_put": count}
        if name in ("GetObject", "HeadObject"):
            return {"s3_get": count}
    return {}


def journey_cost(records: list[dict[str, Any]], memory: dict[str, int], journeys: int) -> dict[str, Any]:
    """Estimated USD per 1,000 journeys from the invocations recorded during `journeys` journeys."""
    usage: dict[str, float] = {}

    def add(key: str, amount: float) -> None:
        usage[key] = usage.get(key, 0.0) + amount

    operations: dict[str, int] = {}
    for record in records:
        add("lambda_request", 1)
        gb = memory.get(record["function"], 512) / 1024
        add("lambda_gb_s_arm64", gb * max(1.0, float(record["ms"])) / 1000)
        if record.get("method"):
            add("apigw_rest_request", 1)
        for operation, count in record["calls"].items():
            operations[operation] = operations.get(operation, 0) + count
            for key, amount in _units(operation, count).items():
                add(key, amount)
    per_thousand = {key: PRICES_USD[key] * amount * 1000 / journeys for key, amount in usage.items()}
    return {
        "journeys_measured": journeys,
        "invocations_per_journey": round(len(records) / journeys, 1),
        "aws_calls_per_journey": {op: round(n / journeys, 2) for op, n in sorted(operations.items())},
        "usd_per_1000": {key: round(value, 4) for key, value in sorted(per_thousand.items())},
        "usd_per_1000_total": round(sum(per_thousand.values()), 4),
    }
