"""An authorized person's reads of the CCF's catalog on moto (decision 0113): at most two DynamoDB calls per
route, the same answers as before, the Ministry's changes seen on the next read (no copy to keep in step), and
AWS faults answered by the resolver (503 with Retry-After; 500 for a permission error)."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from botocore.client import BaseClient

from sat_common import aws as sat_aws
from tests.integration.catalog_support import (
    FREE_CCFS,
    MAIN,
    accept_terms,
    activate,
    assign,
    authorized_person,
    aws_resources,  # noqa: F401 (the "aws" fixture)
    call,
    create_services,
    person,
    registered_employer,
)
from tests.integration.fault_support import http_fault, no_backoff_sleep

ADMIN = "CC-79000005"
NIT = FREE_CCFS[0]
ALICE, BOB = person(40), person(41)
INFO = "/ccfs/{nit}/services/{serviceId}"


@contextmanager
def dynamodb_calls() -> Iterator[Counter[str]]:
    """Every DynamoDB API call made inside the block, by operation (whatever client makes it)."""
    calls: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counted(self, operation_name, api_params):  # type: ignore[no-untyped-def]
        if self.meta.service_model.service_name == "dynamodb":
            calls[operation_name] += 1
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def ccf_get(path: str, username: str, resource: str, service_id: str | None = None):
    params = {"nit": NIT, **({"serviceId": service_id} if service_id else {})}
    return call("GET", path, username=username, resource=resource, path_parameters=params)


def patch_service(service_id: str, body: dict) -> None:
    reply = call("PATCH", f"/admin/services/{service_id}", body, username=ADMIN, ministry=True,
                 resource="/admin/services/{serviceId}", path_parameters={"serviceId": service_id})  # fmt: skip
    assert reply.status == 200, reply.body


@pytest.fixture
def ccf(aws):
    create_services(ADMIN)
    registered_employer(NIT)
    activate(ADMIN, NIT)
    clients = {s: assign(ADMIN, NIT, s).json["clientId"] for s in ("solicitud-afiliacion", "respuesta-tramite-ccf")}
    authorized_person(ALICE, NIT)
    assert accept_terms(ALICE, NIT).status == 200
    return clients


READS = [
    ("/ccfs/{nit}/terms", None, 1),
    ("/ccfs/{nit}/services", None, 2),
    (INFO, "solicitud-afiliacion", 1),
    (INFO + "/openapi.json", "solicitud-afiliacion", 1),
    (INFO + "/docs", "solicitud-afiliacion", 1),
]


@pytest.mark.parametrize(("resource", "service_id", "most"), READS)
def test_each_read_route_makes_at_most_two_dynamodb_calls(ccf, resource, service_id, most):
    path = resource.format(nit=NIT, serviceId=service_id)
    with dynamodb_calls() as calls:
        reply = ccf_get(path, ALICE, resource, service_id)
    assert reply.status == 200, reply.body
    assert sum(calls.values()) <= most, calls
    assert not {"Scan", "GetItem"} & set(calls), calls  # reads go together, never one item at a time


def test_refusals_cost_no_more_calls_than_answers(ccf):
    authorized_person(BOB, NIT)  # authorized, terms not accepted yet
    for resource, service_id, most in READS[1:]:
        path = resource.format(nit=NIT, serviceId=service_id)
        with dynamodb_calls() as calls:
            blocked = ccf_get(path, BOB, resource, service_id)
        assert blocked.status == 403 and blocked.json["code"] == "TERMS_NOT_ACCEPTED"
        assert sum(calls.values()) <= most, (resource, calls)
        with dynamodb_calls() as calls:
            stranger = ccf_get(path, person(42), resource, service_id)
        assert stranger.status == 404 and stranger.json["code"] == "NOT_FOUND"
        assert sum(calls.values()) <= most, (resource, calls)


def test_the_answers_are_those_of_the_service_items(ccf):
    listed = ccf_get(f"/ccfs/{NIT}/services", ALICE, "/ccfs/{nit}/services").json
    assert listed["nit"] == NIT
    assert [(item["serviceId"], item["code"], item["state"]) for item in listed["items"]] == [
        ("respuesta-tramite-ccf", "RESPUESTA_TRAMITE_CCF", "ACTIVE"),
        ("solicitud-afiliacion", "SOLICITUD_AFILIACION", "ACTIVE"),
    ]
    assert set(listed["items"][0]) == {"serviceId", "code", "name", "description", "operation", "state"}
    info = ccf_get(f"/ccfs/{NIT}/services/solicitud-afiliacion", ALICE, INFO, "solicitud-afiliacion").json
    assert info["clientId"] == ccf["solicitud-afiliacion"] and info["name"] == "SERVICIO SOLICITUD AFILIACION"
    assert info["endpointUrl"] == "https://api.example.test/sat/solicitud-afiliacion"


def test_a_ministry_rename_or_deactivation_is_seen_on_the_next_read(ccf):
    patch_service("solicitud-afiliacion", {"name": "SOLICITUD DE AFILIACION (v2)", "state": "INACTIVE"})
    listed = ccf_get(f"/ccfs/{NIT}/services", ALICE, "/ccfs/{nit}/services").json["items"]
    renamed = next(item for item in listed if item["serviceId"] == "solicitud-afiliacion")
    assert renamed["name"] == "SOLICITUD DE AFILIACION (v2)" and renamed["state"] == "INACTIVE"
    info = ccf_get(f"/ccfs/{NIT}/services/solicitud-afiliacion", ALICE, INFO, "solicitud-afiliacion").json
    assert info["name"] == "SOLICITUD DE AFILIACION (v2)" and info["state"] == "INACTIVE"


def test_a_revoked_assignment_leaves_the_list_and_its_detail_at_once(ccf):
    resource = "/admin/ccfs/{nit}/services/{serviceId}"
    revoked = call("DELETE", f"/admin/ccfs/{NIT}/services/respuesta-tramite-ccf", username=ADMIN, ministry=True,
                   resource=resource, path_parameters={"nit": NIT, "serviceId": "respuesta-tramite-ccf"})  # fmt: skip
    assert revoked.status == 204
    listed = ccf_get(f"/ccfs/{NIT}/services", ALICE, "/ccfs/{nit}/services").json["items"]
    assert [item["serviceId"] for item in listed] == ["solicitud-afiliacion"]
    gone = ccf_get(f"/ccfs/{NIT}/services/respuesta-tramite-ccf", ALICE, INFO, "respuesta-tramite-ccf")
    assert gone.status == 404 and gone.json["code"] == "SERVICE_NOT_FOUND"


def test_throttled_reads_are_503_with_retry_after(ccf):
    client = sat_aws.table(MAIN).meta.client
    with no_backoff_sleep(), http_fault(client, "Query", "ProvisionedThroughputExceededException", times=None):
        reply = ccf_get(f"/ccfs/{NIT}/services", ALICE, "/ccfs/{nit}/services")
    assert reply.status == 503 and reply.json["code"] == "SERVICE_UNAVAILABLE"
    assert reply.headers["Retry-After"] == "5"
    assert ccf_get(f"/ccfs/{NIT}/services", ALICE, "/ccfs/{nit}/services").status == 200  # and then it answers


def test_a_permission_error_is_500_not_a_retry(ccf):
    client = sat_aws.table(MAIN).meta.client
    with http_fault(client, "BatchGetItem", "AccessDeniedException", times=None):
        reply = ccf_get(f"/ccfs/{NIT}/services/solicitud-afiliacion", ALICE, INFO, "solicitud-afiliacion")
    assert reply.status == 500 and reply.json["code"] == "INTERNAL_ERROR"
    assert "Retry-After" not in reply.headers
