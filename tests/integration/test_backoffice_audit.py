"""GET /admin/audit on moto (decision 0095): the entries sat_common.audit writes are found by NIT, document and
action through the audit table's indexes, newest first, with documents masked and no e-mails; the CSV export is
capped and safe to open in a spreadsheet; two Queries per page at most, never a Scan."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from sat_common import audit
from sat_common.audit import Actor
from tests.integration.backoffice_support import call, create_audit_table, dynamodb_calls, operator
from tests.integration.conftest import create_table
from tests.integration.ministry_support import people_pool

MAIN, AUDIT = "main-table", "audit-table"
NIT, OTHER_NIT = "860007336", "890900841"
CITIZEN, OPERATOR = "CC-1020304050", "CC-1000000001"
ADMIN = {"cognito:username": OPERATOR, "sub": "s-admin", "cognito:groups": "ministerio"}


@pytest.fixture
def world(moto, monkeypatch):
    for key, value in {
        "STAGE": "test",
        "POWERTOOLS_SERVICE_NAME": "backoffice",
        "MAIN_TABLE_NAME": MAIN,
        "AUDIT_TABLE_NAME": AUDIT,
        "AUDIT_EXPORT_MAX_ROWS": "120",
    }.items():
        monkeypatch.setenv(key, value)
    create_table(MAIN)
    create_audit_table(AUDIT)
    people_pool(monkeypatch)
    from backoffice import config

    config.settings.cache_clear()
    admin = operator(OPERATOR, "ministerio", MAIN)
    yield admin
    config.settings.cache_clear()


def _search(query, claims=ADMIN, headers=None):
    from backoffice.handler import lambda_handler

    return call(lambda_handler, "GET", "/admin/audit", claims, query=query, headers=headers)


def _story():
    """What the system writes: a citizen registering, a company, a CCF, an operator acting on them."""
    citizen = Actor(CITIZEN, "198.51.100.4", "Firefox")
    operator_ = Actor(OPERATOR, "203.0.113.9", "Chrome")
    audit.record(AUDIT, f"PERSON#{CITIZEN}", "REGISTRATION_STARTED", citizen, {"email": "ana@example.co"})
    audit.record(AUDIT, f"EMPLOYER#{NIT}", "EMPLOYER_CREATED", citizen, {"delegate": "CE-445566"})
    audit.record(AUDIT, f"CCF#{NIT}", "CCF_ACTIVATED", operator_, {"nit": NIT})
    audit.record(AUDIT, "TRAMITE#20261201000001", "TRAMITE_FILED", operator_, {"ccfNit": NIT})
    audit.record(AUDIT, f"PERSON#{CITIZEN}", "PERSON_UNLOCKED", operator_, {"reason": '=HYPERLINK("x")'})
    audit.record(AUDIT, f"CCF#{OTHER_NIT}", "CCF_ACTIVATED", operator_, {"nit": OTHER_NIT})
    audit.record(AUDIT, "TRAMITE#20261201000002", "SAT_PULL", Actor("client:abc"), {"ccfNit": OTHER_NIT})


def test_by_nit_finds_the_company_the_ccf_and_what_names_it(world):
    _story()
    status, body, _ = _search({"nit": NIT})
    assert status == 200, body
    assert [item["action"] for item in body["items"]] == ["TRAMITE_FILED", "CCF_ACTIVATED", "EMPLOYER_CREATED"]
    assert {item["nit"] for item in body["items"]} == {NIT}
    filtered = _search({"nit": NIT, "action": "CCF_ACTIVATED"})[1]["items"]
    assert [item["entity"] for item in filtered] == [f"CCF#{NIT}"]


def test_by_document_finds_what_the_person_did_and_what_was_done_to_them(world):
    _story()
    status, body, _ = _search({"documentNumber": "1020304050"})
    assert status == 200
    assert [item["action"] for item in body["items"]] == ["PERSON_UNLOCKED", "EMPLOYER_CREATED", "REGISTRATION_STARTED"]
    unlocked = body["items"][0]
    assert unlocked["entity"] == f"PERSON#{CITIZEN}"  # the searched document is shown
    assert unlocked["actor"] == "CC-******0001"  # any other is masked
    assert unlocked["sourceIp"] == "203.0.113.9" and unlocked["userAgent"] == "Chrome"
    registration = body["items"][2]
    assert registration["details"] == {"email": "[correo omitido]"}
    assert body["items"][1]["details"] == {"delegate": "CE-**5566"}
    # the operator's own actions, by their document: the citizen masked this time
    mine = _search({"documentNumber": "1000000001", "action": "PERSON_UNLOCKED"})[1]["items"]
    assert [(item["entity"], item["actor"]) for item in mine] == [("PERSON#CC-******4050", OPERATOR)]


def test_by_action_newest_first_within_a_range(world):
    _story()
    items = _search({"action": "CCF_ACTIVATED"})[1]["items"]
    assert [item["nit"] for item in items] == [OTHER_NIT, NIT]
    now = datetime.now(UTC)
    later = (now + timedelta(days=1)).date().isoformat()
    assert len(_search({"action": "CCF_ACTIVATED", "from": now.date().isoformat(), "to": later})[1]["items"]) == 2
    assert _search({"action": "CCF_ACTIVATED", "to": "2020-01-01"})[1]["items"] == []


def _seed_many(count):
    """`count` entries about one citizen, done by them or by an operator, interleaved in time (two indexes)."""
    table = boto3.resource("dynamodb").Table(AUDIT)
    base = datetime(2026, 11, 1, tzinfo=UTC)
    with table.batch_writer() as batch:
        for n in range(count):
            at = (base + timedelta(seconds=n)).isoformat(timespec="milliseconds")
            acted = n % 3 != 0
            item = audit.entry(
                f"PERSON#{CITIZEN}",
                "LOGIN" if acted else "PERSON_UNLOCKED",
                Actor(CITIZEN if acted else OPERATOR),
                {"n": n},
            )
            item.update({"SK": f"{at}#{n:08x}", "at": at})
            batch.put_item(Item=item)


def test_merged_pages_keep_the_order_and_cost_two_queries_at_most(world):
    _seed_many(95)
    seen, token, pages = [], None, 0
    while True:
        query = {"documentNumber": "1020304050", "limit": "10", **({"pageToken": token} if token else {})}
        with dynamodb_calls(AUDIT) as calls:
            status, body, _ = _search(query)
        assert status == 200, body
        assert "Scan" not in calls and calls.get("Query", 0) <= 2, calls
        seen += [item["details"]["n"] for item in body["items"]]
        token, pages = body["nextPageToken"], pages + 1
        if not token:
            break
        assert pages < 50, "the pages never end"
    assert seen == list(range(94, -1, -1))  # every entry once, newest first


def test_filters_and_tokens_are_validated(world):
    _seed_many(12)
    for query, field in [
        ({}, "nit"),
        ({"nit": "86000733"}, "nit"),
        ({"documentNumber": "10-20"}, "documentNumber"),
        ({"action": "login"}, "action"),
        ({"action": "LOGIN", "limit": "101"}, "limit"),
        ({"action": "LOGIN", "from": "2024-01-01", "to": "2026-01-01"}, "to"),
        ({"action": "LOGIN", "from": "mañana"}, "from"),
        ({"action": "LOGIN", "email": "a@b.co"}, "email"),
        ({"action": "LOGIN", "pageToken": "eyJ9"}, "pageToken"),
    ]:
        status, body, _ = _search(query)
        assert status == 422 and field in {e["field"] for e in body["errors"]}, (query, body)
    token = _search({"action": "LOGIN", "limit": "2"})[1]["nextPageToken"]
    assert token
    assert _search({"action": "LOGIN", "limit": "2", "pageToken": token})[0] == 200
    assert _search({"action": "PERSON_UNLOCKED", "pageToken": token})[0] == 422  # other filters


def test_only_the_administrator_and_the_auditors(world):
    _story()
    auditor = operator("CC-1000000055", "ministerio-auditor", MAIN)
    assert _search({"nit": NIT}, auditor)[0] == 200
    for group in ("ministerio-intercambio", "ministerio-revisor", "ministerio-catalogo"):
        assert _search({"nit": NIT}, operator(f"CC-10000001{len(group)}", group, MAIN))[0] == 403
    assert _search({"nit": NIT}, {"cognito:username": CITIZEN, "sub": "s-c"})[0] == 403
    assert _search({"nit": NIT}, None)[0] == 401


def test_the_csv_export_is_capped_safe_and_audited(world):
    _story()
    _seed_many(150)
    status, text, headers = _search({"documentNumber": "1020304050"}, headers={"Accept": "text/csv"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["at", "action", "entity", "actor", "nit", "sourceIp", "userAgent", "details"]
    assert len(rows) == 1 + 120  # AUDIT_EXPORT_MAX_ROWS in this test
    assert headers.get("X-Next-Page-Token")
    rest = _search(
        {"documentNumber": "1020304050", "pageToken": headers["X-Next-Page-Token"]}, headers={"Accept": "text/csv"}
    )
    assert len(list(csv.reader(io.StringIO(rest[1])))) == 1 + (150 + 3 - 120)
    assert "X-Next-Page-Token" not in rest[2]
    # formula cells are neutralized; e-mails never appear
    small = _search({"nit": NIT, "action": "CCF_ACTIVATED"}, headers={"Accept": "text/csv"})[1]
    assert "@" not in text and "@" not in small
    unlocked = _search({"action": "PERSON_UNLOCKED", "limit": "1"}, headers={"Accept": "text/csv"})[1]
    details = [row[7] for row in csv.reader(io.StringIO(unlocked))][1:]
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in details)
    assert all(not cell.startswith(("=", "+", "@")) for row in csv.reader(io.StringIO(text)) for cell in row)
    exports = _search({"action": "AUDIT_EXPORTED"})[1]["items"]
    assert len(exports) >= 3 and exports[0]["actor"] == "CC-******0001"  # not the document searched
    assert exports[-1]["details"]["filters"]["documentNumber"] == "******4050"  # who was looked up, masked too


def test_csv_cells_that_would_be_formulas_are_prefixed():
    from backoffice.audit_search import _cell

    assert _cell("=SUM(A1)") == "'=SUM(A1)"
    assert _cell("+57 300") == "'+57 300"
    assert _cell("-1") == "'-1"
    assert _cell("@cmd") == "'@cmd"
    assert _cell({"a": "=1"}) == '{"a": "=1"}'
    assert _cell("CCF_ACTIVATED") == "CCF_ACTIVATED"
