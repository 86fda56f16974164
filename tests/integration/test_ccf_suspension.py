"""CCF suspension (decision 0093) on moto: PATCH /admin/ccfs/{nit} validation, 404 and 409, the audit entry with
the reason; while suspended no token (invalid_client, not counted as a failure), old tokens refused by the /sat
authorizer — through the emulated API Gateway cache, within its TTL and not after, on the controlled clock —,
the CCF's authorized persons told why (403 CCF_SUSPENDED); reactivation restores the same Client IDs and
password; and GET /admin/ccfs's summaries (state, services count, shared services, last delivery)."""

from typing import Any

import boto3
import pytest

from sat_common import ccf_summary
from tests.integration.catalog_support import (
    FREE_CCFS,
    GOOD_PASSWORD,
    MAIN,
    audit_items,
    aws_resources,  # noqa: F401 (the "aws" fixture)
    call,
    call_sat,
    create_services,
    get_token,
    person,
    ready_ccf,
    token_request,
)

ADMIN = "CC-79000011"
NIT, OTHER_NIT, _ = FREE_CCFS
A, B = "solicitud-afiliacion", "respuesta-tramite-ccf"
REASON = "Incumplimiento del acuerdo de uso, oficio 2026-123"


@pytest.fixture
def ccf(aws):
    create_services(ADMIN)
    return ready_ccf(NIT, ADMIN, person(40), [A, B])


def patch(nit: str, body: Any, admin: str = ADMIN) -> Any:
    return call(
        "PATCH",
        f"/admin/ccfs/{nit}",
        body,
        username=admin,
        ministry=True,
        resource="/admin/ccfs/{nit}",
        path_parameters={"nit": nit},
    )


def person_get(ccf, path: str) -> Any:
    return call(
        "GET",
        f"/ccfs/{ccf.nit}/{path}",
        username=ccf.authorized,
        resource=f"/ccfs/{{nit}}/{path}",
        path_parameters={"nit": ccf.nit},
    )


def listed(nit: str) -> dict[str, Any]:
    reply = call("GET", "/admin/ccfs", username=ADMIN, ministry=True)
    assert reply.status == 200, reply.body
    return next(item for item in reply.json["items"] if item["nit"] == nit)


@pytest.mark.parametrize(
    "body",
    [
        {"state": "SUSPENDED"},
        {"state": "SUSPENDED", "reason": "no"},
        {"state": "SUSPENDED", "reason": "x" * 501},
        {"state": "INACTIVE", "reason": REASON},
        {"state": "SUSPENDED", "reason": REASON, "notify": True},
    ],
)
def test_the_change_is_validated(ccf, body):
    reply = patch(NIT, body)
    assert reply.status == 422, reply.body
    assert listed(NIT)["status"] == "ACTIVE"


def test_unknown_ccf_and_unchanged_state(ccf):
    reply = patch("900000001", {"state": "SUSPENDED", "reason": REASON})
    assert (reply.status, reply.json["code"]) == (404, "CCF_NOT_FOUND")
    reply = patch(NIT, {"state": "ACTIVE", "reason": REASON})
    assert (reply.status, reply.json["code"]) == (409, "CCF_STATE_UNCHANGED")


def test_suspension_stops_tokens_and_people_and_reactivation_restores_everything(ccf):
    client_a = ccf.services[A]
    old_token = get_token(client_a, GOOD_PASSWORD)
    assert call_sat(old_token, "GET", "/sat/session").status == 200

    reply = patch(NIT, {"state": "SUSPENDED", "reason": REASON})
    assert reply.status == 200, reply.body
    assert (reply.json["status"], reply.json["stateReason"], reply.json["stateBy"]) == ("SUSPENDED", REASON, ADMIN)
    entry = next(item for item in audit_items(f"CCF#{NIT}") if item["action"] == "CCF_SUSPENDED")
    assert entry["details"]["reason"] == REASON and ADMIN in str(entry)

    # No token, the RFC 6749 way, for any of its Client IDs; never counted towards a lock.
    for _ in range(6):
        refused = token_request({"grant_type": "client_credentials"}, basic=(client_a, GOOD_PASSWORD))
        assert refused.status == 401 and refused.json["error"] == "invalid_client", refused.body
        assert refused.headers.get("WWW-Authenticate", "").startswith("Basic")
    body_auth = {"grant_type": "client_credentials", "client_id": ccf.services[B], "client_secret": GOOD_PASSWORD}
    assert token_request(body_auth).json["error"] == "invalid_client"
    # The old token: refused by the authorizer's next (uncached) call.
    assert call_sat(old_token, "GET", "/sat/session").status == 401
    # Its authorized person sees why, on every /ccfs/{nit} route.
    for path in ("terms", "services"):
        seen = person_get(ccf, path)
        assert (seen.status, seen.json["code"]) == (403, "CCF_SUSPENDED"), seen.body
        assert REASON in seen.json["detail"] and seen.json["reason"] == REASON and seen.json["state"] == "SUSPENDED"
    # Nothing was deleted.
    table = boto3.resource("dynamodb").Table(MAIN)
    assignment = table.get_item(Key={"PK": f"CCF#{NIT}", "SK": f"ASSIGN#{A}"})["Item"]
    assert assignment["status"] == "ACTIVE" and assignment["clientId"] == client_a
    assert table.get_item(Key={"PK": f"CCF#{NIT}", "SK": "CONSUMER_PASSWORD"}).get("Item")

    reply = patch(NIT, {"state": "ACTIVE", "reason": "Subsanado, oficio 2026-130"})
    assert reply.status == 200 and reply.json["status"] == "ACTIVE"
    assert "CCF_REACTIVATED" in [item["action"] for item in audit_items(f"CCF#{NIT}")]
    new_token = get_token(client_a, GOOD_PASSWORD)  # same Client ID, same password, not locked out
    assert call_sat(new_token, "GET", "/sat/session").status == 200
    assert call_sat(old_token, "GET", "/sat/session").status == 200  # not expired: valid again
    assert person_get(ccf, "services").status == 200


def test_an_old_token_cached_by_the_gateway_is_refused_once_the_cache_entry_expires(ccf):
    """API Gateway caches the authorizer's policy per token (CCF_AUTHORIZER_CACHE_SECONDS): the bound of
    docs/security.md. The local runtime's emulation of that cache, on a controlled clock."""
    from ccf_authorizer.handler import lambda_handler

    from infra.components.api import CCF_AUTHORIZER_CACHE_SECONDS
    from local.authorizer import LambdaAuthorizer, Unauthorized
    from local.lambdas import InvocationError
    from tests.conftest import FakeContext

    now = [1_000_000.0]

    def invoke(_function: str, event: dict[str, Any], _request: str) -> Any:
        try:
            return lambda_handler(event, FakeContext())
        except Exception as error:  # as Lambda reports a function's error to API Gateway
            raise InvocationError({"errorMessage": str(error), "errorType": type(error).__name__}) from error

    gateway = LambdaAuthorizer(
        function="ccf_authorizer", invoke=invoke, ttl=CCF_AUTHORIZER_CACHE_SECONDS, clock=lambda: now[0]
    )
    token = get_token(ccf.services[A], GOOD_PASSWORD)
    arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/test/GET/sat/session"
    headers = {"Authorization": f"Bearer {token}"}

    def allowed() -> bool:
        try:
            gateway.authorize(arn, headers, {}, {}, "request-id")
        except Unauthorized:
            return False
        return True

    assert allowed()
    assert patch(NIT, {"state": "SUSPENDED", "reason": REASON}).status == 200
    now[0] += CCF_AUTHORIZER_CACHE_SECONDS - 1
    assert allowed(), "within the cache TTL the gateway still answers from its cache"
    now[0] += 2
    assert not allowed(), f"refused at most {CCF_AUTHORIZER_CACHE_SECONDS} s after the suspension"
    assert CCF_AUTHORIZER_CACHE_SECONDS <= 60


def test_the_list_carries_state_services_shared_services_and_last_delivery(ccf):
    item = listed(NIT)
    assert item["status"] == "ACTIVE" and item["servicesAssigned"] == 2
    assert item["sharedServices"] == {"total": 0, "notification": None} and item["lastDelivery"] is None
    revoked = call(
        "DELETE",
        f"/admin/ccfs/{NIT}/services/{B}",
        username=ADMIN,
        ministry=True,
        resource="/admin/ccfs/{nit}/services/{serviceId}",
        path_parameters={"nit": NIT, "serviceId": B},
    )
    assert revoked.status == 204
    assert listed(NIT)["servicesAssigned"] == 1

    # What the share and notifications areas write (sat_common.ccf_summary), read back through the list.
    table = boto3.resource("dynamodb").Table(MAIN)
    table.put_item(
        Item={
            "PK": f"EMPLOYER#{NIT}",
            "SK": "SHARED#01JAAAAAAAAAAAAAAAAAAAAAAA",
            "sharedServiceId": "01JAAAAAAAAAAAAAAAAAAAAAAA",
            "name": "Recepcion",
            "purpose": "NOTIFICACION_TRAMITES",
            "status": "ACTIVE",
            "connection": {"status": "AUTHORIZED", "detail": "ok", "checkedAt": "2026-12-01T08:00:00+00:00"},
        }
    )
    table.put_item(Item={"PK": f"EMPLOYER#{NIT}", "SK": "SHARED#01JBBBBBBBBBBBBBBBBBBBBBBB", "name": "Otro"})
    ccf_summary.refresh_shared_services(MAIN, NIT)
    ccf_summary.record_delivery(MAIN, NIT, "2026120100000002", "ACUSADA", "2026-12-01T08:05:00.000+00:00")
    ccf_summary.record_delivery(MAIN, NIT, "2026120100000001", "REINTENTO", "2026-12-01T08:04:00.000+00:00")
    ccf_summary.record_delivery(OTHER_NIT, OTHER_NIT, "x", "ACUSADA", "2026-12-01T08:05:00.000+00:00")  # no CCF
    assert patch(NIT, {"state": "SUSPENDED", "reason": REASON}).status == 200
    item = listed(NIT)
    assert item["sharedServices"]["total"] == 2
    assert item["sharedServices"]["notification"]["connection"] == "AUTHORIZED"
    assert item["lastDelivery"] == {
        "numeroTransaccion": "2026120100000002",
        "outcome": "ACUSADA",
        "at": "2026-12-01T08:05:00.000Z",  # stored in the older `+00:00` form, answered in the one format
    }
    assert item["sharedServices"]["notification"]["checkedAt"] == "2026-12-01T08:00:00.000Z"
    assert (item["status"], item["stateReason"]) == ("SUSPENDED", REASON) and item["stateSince"]
    assert table.get_item(Key={"PK": f"CCF#{OTHER_NIT}", "SK": "ACTIVATION"}).get("Item") is None

    reply = call("GET", "/admin/ccfs", username=ADMIN, ministry=True, query={"page": "2"})
    assert reply.status == 422
