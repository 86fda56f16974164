"""The company's read routes on moto: at most two DynamoDB calls each (the caller's grant and the company in one
BatchGetItem, then the delegate's grant or the page of authorizations), and the answers unchanged by it."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sat_common import aws as sat_aws
from tests.integration.test_delegation_flow import (
    AUDIT,
    CCF_NIT,
    DELEGATE,
    LEGAL_REP,
    MAIN,
    REFERENCE,
    delegation_env,  # noqa: F401 (fixture "env")
    free_person,
    person_data,
    username,
)


@contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    """Every DynamoDB operation the function's table clients make inside the block."""
    calls: Counter[str] = Counter()

    def count(event_name: str = "", **_: Any) -> None:
        calls[event_name.split(".")[-1]] += 1

    clients = {sat_aws.table(name).meta.client for name in (MAIN, REFERENCE, AUDIT)}
    for client in clients:
        client.meta.events.register("before-call.dynamodb", count)
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", count)


def test_the_company_reads_two_calls_at_most_for_either_profile(env):
    rep, delegate = env.confirmed_company(CCF_NIT, LEGAL_REP, DELEGATE)
    with dynamodb_calls() as by_rep:
        status, body = env.api("GET", f"/employers/{CCF_NIT}", user=rep)
    assert status == 200 and body["yourProfile"] == "REPRESENTANTE_LEGAL"
    assert body["delegate"]["roleStatus"] == "ACTIVE"  # the delegate's grant, read for the legal representative
    assert by_rep == {"BatchGetItem": 1, "GetItem": 1}
    with dynamodb_calls() as by_delegate:
        status, body = env.api("GET", f"/employers/{CCF_NIT}", user=delegate)
    assert status == 200 and body["yourProfile"] == "DELEGADO" and body["delegate"]["roleStatus"] == "ACTIVE"
    assert by_delegate == {"BatchGetItem": 1}  # their own grant is the delegate's


def test_the_authorizations_page_reads_two_calls(env):
    _rep, delegate = env.confirmed_company(CCF_NIT, LEGAL_REP, DELEGATE)
    env.activate_ccf(CCF_NIT)
    body = {
        **person_data(free_person(20)),
        "office": "Sede Norte",
        "role": "CAJA_DE_SUBSIDIO_FAMILIAR",
        "profile": "ADMINISTRAR_SERVICIOS_WEB_EXTERNOS",
    }
    assert env.api("POST", f"/employers/{CCF_NIT}/authorizations", body, user=delegate)[0] == 201
    with dynamodb_calls() as calls:
        status, page = env.api("GET", f"/employers/{CCF_NIT}/authorizations", user=delegate)
    assert status == 200 and [item["office"] for item in page["items"]] == ["Sede Norte"]
    assert calls == {"BatchGetItem": 1, "Query": 1}


def test_someone_without_a_grant_is_answered_404_after_one_read(env):
    env.confirmed_company(CCF_NIT, LEGAL_REP, DELEGATE)
    with dynamodb_calls() as calls:
        status, _ = env.api("GET", f"/employers/{CCF_NIT}", user=username(free_person(21)))
    assert status == 404 and calls == {"BatchGetItem": 1}
