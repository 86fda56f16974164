"""Shared pieces of the back-office integration tests (decisions 0094, 0095), on moto in-process.

Trámites and transfers are written the way functions/exchange writes them (keys and GSI attributes), so the
lists can be tested over hundreds of items quickly; DynamoDB calls are counted on the table's own client.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from sat_common import aws
from tests.conftest import api_event

AUDIT_INDEXES = {"ByNit": "nitKey", "ByAction": "action", "ByActor": "actorDoc", "BySubject": "subjectDoc"}


def create_audit_table(name: str) -> None:
    """The audit table as infra/components/data.py declares it: the search's four indexes sorted by SK."""
    attributes = [{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "SK", "AttributeType": "S"}]
    attributes += [{"AttributeName": attribute, "AttributeType": "S"} for attribute in AUDIT_INDEXES.values()]
    boto3.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=attributes,
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": attribute, "KeyType": "HASH"},
                    {"AttributeName": "SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, attribute in AUDIT_INDEXES.items()
        ],
    )


def stamp(minute: int, day: int = 1, month: int = 11) -> str:
    return f"2026-{month:02d}-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00.000+00:00"


def tramite_item(numero: str, nit: str, estado: str, created: str, updated: str | None = None, **extra: Any) -> dict:
    updated = updated or created
    return {
        "PK": f"TRAMITE#{numero}",
        "SK": "PROFILE",
        "numeroTransaccion": numero,
        "serialSat": f"SAT-{numero}",
        "ccfNit": nit,
        "codigoNovedad": "AFI",
        "estado": estado,
        "fechaCreacion": created,
        "fechaVigencia": "2026-12-31",
        "pullUrl": "https://api.example/sat/solicitud-afiliacion",
        "notificationId": f"sat-notificacion-{numero}",
        "generation": 0,
        "attempts": extra.pop("attempts", 0),
        "createdAt": created,
        "updatedAt": updated,
        "GSI1PK": f"CCF#{nit}",
        "GSI1SK": f"TRAMITE#{created}",
        "GSI2PK": f"TRAMSTATE#{estado}",
        "GSI2SK": updated,
        **extra,
    }


def transfer_item(numero: str, destination: str, created: str) -> dict:
    return {
        "PK": f"TRASLADO#{numero}",
        "SK": "PROFILE",
        "estado": "RECIBIDA",
        "createdAt": created,
        "updatedAt": created,
        "GSI1PK": f"CCF#{destination}",
        "GSI1SK": f"TRASLADO#{created}",
        "GSI2PK": "TRASSTATE#RECIBIDA",
        "GSI2SK": created,
    }


def put_all(table_name: str, items: list[dict]) -> None:
    with boto3.resource("dynamodb").Table(table_name).batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)


@contextmanager
def dynamodb_calls(table_name: str) -> Iterator[Counter[str]]:
    """Counts the DynamoDB operations the handler's own table client makes inside the block."""
    calls: Counter[str] = Counter()

    def count(event_name: str = "", **_: Any) -> None:
        calls[event_name.split(".")[-1]] += 1

    events = aws.table(table_name).meta.client.meta.events
    events.register("before-call.dynamodb", count)
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb", count)


def call(handler: Any, method: str, path: str, claims: dict | None, *, query: dict | None = None,
         body: Any = None, headers: dict | None = None) -> tuple[int, Any, dict]:  # fmt: skip
    from tests.integration.exchange_support import _context

    event = api_event(method, path, query=query, body=body, headers=headers, claims=claims)
    response = handler(event, _context())
    headers = {
        **{k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()},
        **(response.get("headers") or {}),
    }
    body_out = json.loads(response["body"]) if "json" in headers.get("Content-Type", "") else response["body"]
    return response["statusCode"], body_out, headers


def operator(username: str, group: str, main_table: str) -> dict[str, str]:
    """An enabled member of `group` with TOTP on, as sat_common.ministry checks live; returns the token claims."""
    import contextlib
    import os

    from sat_common import ministry

    idp = boto3.client("cognito-idp")
    pool_id = os.environ["PEOPLE_USER_POOL_ID"]
    with contextlib.suppress(idp.exceptions.GroupExistsException):
        idp.create_group(UserPoolId=pool_id, GroupName=group)
    with contextlib.suppress(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    boto3.resource("dynamodb").Table(main_table).put_item(
        Item={"PK": f"PERSON#{username}", "SK": ministry.MFA_SORT_KEY, "status": ministry.TOTP_ENABLED}
    )
    return {"cognito:username": username, "sub": f"s-{username}", "cognito:groups": group}
