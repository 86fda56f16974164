"""GET /admin/tramites and POST /admin/tramites/redrive on moto (decision 0094): filters, validation, page tokens
that cannot be altered, at most two Queries per page and never a Scan, the bulk redrive's bound and idempotency."""

from __future__ import annotations

import base64
import json

import boto3
import pytest

from tests.integration.backoffice_support import (
    call,
    dynamodb_calls,
    operator,
    put_all,
    stamp,
    tramite_item,
    transfer_item,
)
from tests.integration.exchange_support import (  # noqa: F401
    CCF_NIT,
    MAIN,
    MINISTRY,
    OTHER_NIT,
    PERSON,
    deliver,
    world_fixture,
)

AUDITOR = "ministerio-auditor"
EXCHANGE = "ministerio-intercambio"


def _handler():
    from exchange.handler import lambda_handler

    return lambda_handler


def _list(query, claims=MINISTRY):
    return call(_handler(), "GET", "/admin/tramites", claims, query=query)


def _walk(query, claims=MINISTRY):
    """Every page of a list: the items, and the DynamoDB calls of each page."""
    items, per_page, token = [], [], None
    while True:
        with dynamodb_calls(MAIN) as calls:
            status, body, _ = _list({**query, **({"pageToken": token} if token else {})}, claims)
        assert status == 200, body
        per_page.append(dict(calls))
        items += body["items"]
        token = body["nextPageToken"]
        if not token:
            return items, per_page
        assert len(per_page) < 100, "the pages never end"


@pytest.fixture
def seeded(world):
    items = [tramite_item(f"1{n:04d}", CCF_NIT, "NOTIFICADA", stamp(n), stamp(n + 1)) for n in range(30)]
    items += [tramite_item(f"2{n:04d}", OTHER_NIT, "NOTIFICADA", stamp(n)) for n in range(5)]
    items += [transfer_item(f"3{n:04d}", CCF_NIT, stamp(100 + n)) for n in range(3)]
    items += [
        tramite_item(f"4{n:04d}", CCF_NIT, "FALLIDA", stamp(200 + n), stamp(300 - n), attempts=4) for n in range(4)
    ]
    items += [tramite_item(f"5{n:04d}", OTHER_NIT, "FALLIDA", stamp(400 + n), stamp(400 + n)) for n in range(3)]
    put_all(MAIN, items)
    return world


def _pages_are_cheap(per_page, most=2):
    for calls in per_page:
        assert "Scan" not in calls, calls
        assert calls.get("Query", 0) <= most, calls
        assert set(calls) <= {"Query", "GetItem"} and calls.get("GetItem", 0) <= 1, calls  # + the operator check


def test_a_ccfs_tramites_and_transfers_newest_first_over_pages(seeded):
    items, per_page = _walk({"ccfNit": CCF_NIT, "limit": "7"})
    assert len(items) == 30 + 3 + 4
    assert len({item["numeroTransaccion"] for item in items}) == len(items)  # no repeats
    created = [item["createdAt"] for item in items]
    assert created == sorted(created, reverse=True)
    assert {item["ccfNit"] for item in items} == {CCF_NIT}
    assert {item["type"] for item in items} == {"TRAMITE", "TRASLADO"}
    _pages_are_cheap(per_page)
    transfer = next(item for item in items if item["type"] == "TRASLADO")
    assert transfer["state"] == "RECIBIDA" and transfer["codigoNovedad"] is None and transfer["attempts"] == 0


def test_one_type_is_one_query_per_page(seeded):
    items, per_page = _walk({"ccfNit": CCF_NIT, "type": "TRASLADO", "limit": "2"})
    assert [item["numeroTransaccion"] for item in items] == ["30002", "30001", "30000"]
    _pages_are_cheap(per_page, most=1)


def test_by_state_across_ccfs_by_time_in_state(seeded):
    items, per_page = _walk({"state": "FALLIDA", "limit": "3"})
    assert len(items) == 7
    updated = [item["updatedAt"] for item in items]
    assert updated == sorted(updated, reverse=True)
    assert items[0]["attempts"] in (0, 4)
    _pages_are_cheap(per_page, most=1)


@pytest.mark.parametrize("state,expected", [("FALLIDA", 4), ("NOTIFICADA", 30)])
def test_state_and_ccf_together(seeded, state, expected):
    items, per_page = _walk({"state": state, "ccfNit": CCF_NIT, "limit": "5"})
    assert len(items) == expected
    assert {(item["state"], item["ccfNit"]) for item in items} == {(state, CCF_NIT)}
    _pages_are_cheap(per_page, most=1)


def test_the_range_bounds_the_creation_time(seeded):
    query = {"ccfNit": CCF_NIT, "type": "TRAMITE", "from": "2026-11-01T00:05:00Z", "to": "2026-11-01T00:09:59Z"}
    items, _ = _walk(query)
    assert [item["numeroTransaccion"] for item in items] == ["10009", "10008", "10007", "10006", "10005"]
    # by state, bound by createdAt too although the index sorts by updatedAt
    items, _ = _walk({"state": "FALLIDA", "from": "2026-11-01T03:20:00Z", "to": "2026-11-01T03:30:00Z"})
    assert [item["numeroTransaccion"] for item in items] == ["40000", "40001", "40002", "40003"]
    assert _walk({"ccfNit": CCF_NIT, "from": "2026-12-01"})[0] == []


@pytest.mark.parametrize(
    "query,field",
    [
        ({}, "state"),
        ({"type": "TRAMITE"}, "state"),
        ({"state": "RECIBIDA", "type": "TRAMITE"}, "state"),
        ({"state": "PERDIDA"}, "state"),
        ({"ccfNit": "12345"}, "ccfNit"),
        ({"ccfNit": CCF_NIT, "limit": "101"}, "limit"),
        ({"ccfNit": CCF_NIT, "limit": "0"}, "limit"),
        ({"ccfNit": CCF_NIT, "from": "ayer"}, "from"),
        ({"ccfNit": CCF_NIT, "from": "2026-11-02", "to": "2026-11-01"}, "from"),
        ({"ccfNit": CCF_NIT, "from": "2025-01-01", "to": "2026-11-01"}, "to"),
        ({"ccfNit": CCF_NIT, "to": "2026-13-01"}, "to"),
        ({"ccfNit": CCF_NIT, "sort": "asc"}, "sort"),
        ({"ccfNit": CCF_NIT, "pageToken": "no-es-un-token"}, "pageToken"),
    ],
)
def test_every_invalid_filter_is_a_422_on_its_field(world, query, field):
    status, body, _ = _list(query)
    assert status == 422, body
    assert field in {error["field"] for error in body["errors"]}, body


def test_a_repeated_parameter_is_refused(world):
    from exchange.handler import lambda_handler
    from tests.conftest import api_event
    from tests.integration.exchange_support import _context

    event = api_event("GET", "/admin/tramites", query={"ccfNit": CCF_NIT}, claims=MINISTRY)
    event["multiValueQueryStringParameters"] = {"ccfNit": [CCF_NIT, OTHER_NIT]}
    response = lambda_handler(event, _context())
    assert response["statusCode"] == 422 and "ccfNit" in response["body"]


def _token(query):
    status, body, _ = _list(query)
    assert status == 200 and body["nextPageToken"], body
    return body["nextPageToken"]


def _decoded(token):
    return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def _encoded(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_a_page_token_serves_only_its_own_filters_and_partition(seeded):
    token = _token({"ccfNit": CCF_NIT, "type": "TRAMITE", "limit": "5"})
    # the same filters: fine
    assert _list({"ccfNit": CCF_NIT, "type": "TRAMITE", "pageToken": token})[0] == 200
    # another CCF's list with this token: refused, not another CCF's items
    status, body, _ = _list({"ccfNit": OTHER_NIT, "type": "TRAMITE", "pageToken": token})
    assert status == 422 and body["errors"][0]["field"] == "pageToken"
    # a token edited to point into another CCF's partition, filters digest kept: refused
    payload = _decoded(token)
    payload["c"][0]["GSI1PK"] = f"CCF#{OTHER_NIT}"
    status, _, _ = _list({"ccfNit": CCF_NIT, "type": "TRAMITE", "pageToken": _encoded(payload)})
    assert status == 422
    # wrong shape, extra keys, a number where a string goes: refused
    for broken in ({**payload, "c": []}, {**payload, "c": [{"PK": 1}]}, {"c": payload["c"]}):
        assert _list({"ccfNit": CCF_NIT, "type": "TRAMITE", "pageToken": _encoded(broken)})[0] == 422
    # truncated
    assert _list({"ccfNit": CCF_NIT, "type": "TRAMITE", "pageToken": token[:-3]})[0] == 422


def test_who_may_list(seeded):
    assert _list({"ccfNit": CCF_NIT}, PERSON)[0] == 403
    assert _list({"ccfNit": CCF_NIT}, None)[0] == 401
    auditor = operator("CC-1000000077", AUDITOR, MAIN)
    assert _list({"ccfNit": CCF_NIT}, auditor)[0] == 200
    exchange = operator("CC-1000000078", EXCHANGE, MAIN)
    assert _list({"ccfNit": CCF_NIT}, exchange)[0] == 200
    catalog = operator("CC-1000000079", "ministerio-catalogo", MAIN)
    assert _list({"ccfNit": CCF_NIT}, catalog)[0] == 403


def test_the_last_delivery_outcome_is_listed(world):
    world.register_notification_service()
    tramite = world.file()
    assert deliver(world) == "ACUSADA"
    _, body, _ = _list({"ccfNit": CCF_NIT, "type": "TRAMITE"})
    (item,) = [i for i in body["items"] if i["numeroTransaccion"] == tramite["numeroTransaccion"]]
    assert (item["state"], item["attempts"], item["lastOutcome"]) == ("NOTIFICADA", 1, "ACUSADA")


# --------------------------------------------------------------------------- bulk redrive
def _redrive(body, claims=MINISTRY):
    return call(_handler(), "POST", "/admin/tramites/redrive", claims, body=body)


def _queued(world):
    sqs, count = boto3.client("sqs"), 0
    while True:
        got = sqs.receive_message(QueueUrl=world.queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return count
        count += len(got)
        for message in got:
            sqs.delete_message(QueueUrl=world.queue_url, ReceiptHandle=message["ReceiptHandle"])


def test_bulk_redrive_is_bounded_and_never_redrives_twice(world):
    failed = [tramite_item(f"6{n:04d}", CCF_NIT, "FALLIDA", stamp(n), stamp(n), attempts=4) for n in range(30)]
    others = [tramite_item(f"7{n:04d}", OTHER_NIT, "FALLIDA", stamp(n)) for n in range(3)]
    put_all(MAIN, failed + others)
    status, first, _ = _redrive({"ccfNit": CCF_NIT, "state": "FALLIDA"})
    assert status == 202 and (first["count"], first["remaining"]) == (25, True)
    assert first["numerosTransaccion"] == [f"6{n:04d}" for n in range(25)]  # oldest failure first
    status, second, _ = _redrive({"ccfNit": CCF_NIT, "state": "FALLIDA"})
    assert (second["count"], second["remaining"]) == (5, False)
    status, third, _ = _redrive({"ccfNit": CCF_NIT, "state": "FALLIDA"})
    assert (third["count"], third["remaining"]) == (0, False)
    assert _queued(world) == 30
    table = boto3.resource("dynamodb").Table(MAIN)
    states = {table.get_item(Key={"PK": f"TRAMITE#6{n:04d}", "SK": "PROFILE"})["Item"]["estado"] for n in range(30)}
    assert states == {"PENDIENTE"}
    other = table.get_item(Key={"PK": "TRAMITE#70000", "SK": "PROFILE"})["Item"]
    assert other["estado"] == "FALLIDA"  # another CCF's failures are untouched


def test_a_tramite_the_index_still_shows_failed_is_skipped(world):
    # the state index lags (GSIs are eventually consistent): the conditional step refuses, nothing is sent
    put_all(MAIN, [tramite_item("80001", CCF_NIT, "FALLIDA", stamp(1))])
    boto3.resource("dynamodb").Table(MAIN).update_item(
        Key={"PK": "TRAMITE#80001", "SK": "PROFILE"}, UpdateExpression="SET estado = :p",
        ExpressionAttributeValues={":p": "PENDIENTE"},
    )  # fmt: skip
    status, body, _ = _redrive({"ccfNit": CCF_NIT, "state": "FALLIDA"})
    assert status == 202 and body["count"] == 0
    assert _queued(world) == 0


def test_bulk_redrive_is_audited_and_validated(world):
    put_all(MAIN, [tramite_item("90001", CCF_NIT, "FALLIDA", stamp(1))])
    assert _redrive({"ccfNit": CCF_NIT, "state": "PENDIENTE"})[0] == 422
    assert _redrive({"ccfNit": CCF_NIT})[0] == 422
    assert _redrive({"ccfNit": CCF_NIT, "state": "FALLIDA", "all": True})[0] == 422
    auditor = operator("CC-1000000087", AUDITOR, MAIN)
    assert _redrive({"ccfNit": CCF_NIT, "state": "FALLIDA"}, auditor)[0] == 403
    exchange = operator("CC-1000000088", EXCHANGE, MAIN)
    status, body, _ = _redrive({"ccfNit": CCF_NIT, "state": "FALLIDA"}, exchange)
    assert status == 202 and body["count"] == 1
    entries = boto3.resource("dynamodb").Table("audit-table").scan()["Items"]  # the test reads; code never scans
    actions = {(e["PK"], e["action"], e["actor"]) for e in entries}
    assert ("AUDIT#TRAMITE#90001", "TRAMITE_REDRIVEN", "CC-1000000088") in actions
    assert (f"AUDIT#CCF#{CCF_NIT}", "TRAMITES_BULK_REDRIVEN", "CC-1000000088") in actions
    redriven = next(e for e in entries if e["action"] == "TRAMITE_REDRIVEN")
    assert redriven["details"]["bulk"] is True and redriven["nitKey"] == f"NIT#{CCF_NIT}"
    assert redriven["sourceIp"] == "203.0.113.7" and redriven["userAgent"] == "pytest"


def test_the_detail_shows_the_pull_history(world):
    from tests.integration.exchange_support import system_context

    tramite = world.file()
    numero = tramite["numeroTransaccion"]

    def pull():
        return world.exchange("POST", "/sat/solicitud-afiliacion", context=system_context(),
                              body={"numeroTransaccion": numero})  # fmt: skip

    assert pull()["statusCode"] == 409  # no active key yet: refused, and shown as such
    world.register_notification_service(public_key=world.ccf.public_key_pem)
    assert pull()["statusCode"] == 200
    assert pull()["statusCode"] == 200
    detail = world.get(numero)
    assert [p["outcome"] for p in detail["pulls"]] == ["SIN_LLAVE", "ENTREGADA", "ENTREGADA"]
    assert {p["clientId"] for p in detail["pulls"]} == {"client-solicitud-afiliacion"}
    assert detail["pullCount"] == 2 and detail["pulledAt"] <= detail["lastPulledAt"]
    assert detail["pulls"][1]["at"] == detail["pulledAt"]


def test_tramites_stored_before_the_one_timestamp_format_keep_their_order_and_come_back_with_z(world):
    """Items written with `+00:00` and items written with `Z` (sat_common.clock.stamp) in one list: time order,
    `from` includes an old item of exactly that millisecond, and every timestamp is returned as `Z`."""
    put_all(MAIN, [
        tramite_item("60001", CCF_NIT, "NOTIFICADA", "2026-11-01T08:00:00.000+00:00"),
        tramite_item("60002", CCF_NIT, "NOTIFICADA", "2026-11-01T08:00:00.001Z"),
        tramite_item("60003", CCF_NIT, "NOTIFICADA", "2026-11-01T08:00:01.000+00:00"),
        tramite_item("60004", CCF_NIT, "NOTIFICADA", "2026-11-01T08:00:01.001Z"),  # after `to`
    ])  # fmt: skip
    span = {"from": "2026-11-01T08:00:00Z", "to": "2026-11-01T08:00:01Z"}
    expected = ["2026-11-01T08:00:01.000Z", "2026-11-01T08:00:00.001Z", "2026-11-01T08:00:00.000Z"]
    for query in ({"ccfNit": CCF_NIT, "type": "TRAMITE", **span}, {"state": "NOTIFICADA", **span}):
        items, _ = _walk(query)
        assert [item["numeroTransaccion"] for item in items] == ["60003", "60002", "60001"], query
        assert [item["createdAt"] for item in items] == expected
    status, detail, _ = call(_handler(), "GET", "/admin/tramites/60001", MINISTRY)
    assert status == 200
    assert detail["createdAt"] == detail["fechaCreacion"] == detail["updatedAt"] == "2026-11-01T08:00:00.000Z"
