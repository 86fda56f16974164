"""The Ministry's side on moto: CCF activation, the service catalog (OpenAPI validated) and assignments."""

import copy

import boto3

from sat_common import ccf_access
from tests.integration.catalog_support import (
    FREE_CCFS,
    activate,
    assign,
    audit_actions,
    aws_resources,  # noqa: F401 (the "aws" fixture)
    call,
    create_services,
    person,
    registered_employer,
    seed_service,
)

ADMIN = "CC-79000001"
NIT, OTHER_NIT, THIRD_NIT = FREE_CCFS


def test_activation_needs_a_registered_company_and_happens_once(aws):
    assert activate(ADMIN, NIT).json["code"] == "EMPLOYER_NOT_FOUND"
    registered_employer(NIT, status="IN_REVIEW")
    pending = activate(ADMIN, NIT)
    assert pending.status == 409 and pending.json["code"] == "EMPLOYER_NOT_REGISTERED"
    registered_employer(NIT)
    done = activate(ADMIN, NIT)
    assert done.status == 201
    assert done.json["nit"] == NIT and done.json["status"] == "ACTIVE" and done.json["activatedBy"] == ADMIN
    item = boto3.resource("dynamodb").Table("main-table").get_item(Key=ccf_access.activation_key(NIT))["Item"]
    assert item["GSI1PK"] == "CCFS" and item["GSI1SK"] == NIT and item["businessName"]
    again = activate(ADMIN, NIT)
    assert again.status == 409 and again.json["code"] == "CCF_ALREADY_ACTIVE"
    assert audit_actions(f"CCF#{NIT}") == ["CCF_ACTIVATED"]


def test_unknown_company_is_404_in_english_too(aws):
    reply = call("POST", "/admin/ccfs", {"nit": NIT}, username=ADMIN, ministry=True, headers={"Accept-Language": "en"})
    assert reply.status == 404 and reply.headers["Content-Type"] == "application/problem+json"
    assert reply.json["title"] == "Company not found"


def test_ccf_list_is_paginated(aws):
    for nit in (NIT, OTHER_NIT, THIRD_NIT):
        registered_employer(nit)
        assert activate(ADMIN, nit).status == 201
    seen, token = [], None
    for _ in range(5):
        query = {"limit": "2", **({"nextToken": token} if token else {})}
        page = call("GET", "/admin/ccfs", username=ADMIN, ministry=True, query=query)
        assert page.status == 200, page.body
        seen += [item["nit"] for item in page.json["items"]]
        token = page.json["nextToken"]
        if not token:
            break
    assert seen == sorted([NIT, OTHER_NIT, THIRD_NIT])
    bad = call("GET", "/admin/ccfs", username=ADMIN, ministry=True, query={"nextToken": "bm9wZQ=="})
    assert bad.status == 422 and bad.json["errors"][0]["field"] == "nextToken"


def test_everyone_else_gets_403_on_admin(aws):
    reply = call("POST", "/admin/ccfs", {"nit": NIT}, username=person(0))
    assert reply.status == 403 and reply.json["code"] == "FORBIDDEN"
    assert call("GET", "/admin/services", username=person(0)).status == 403


def test_services_are_created_listed_and_patched(aws):
    ids = create_services(ADMIN)
    assert ids == ["respuesta-tramite-ccf", "solicitud-afiliacion", "recepcion-traslado-caja"]
    listed = call("GET", "/admin/services", username=ADMIN, ministry=True).json["items"]
    assert {item["endpointPath"] for item in listed} == {
        "/sat/respuesta-tramite-ccf",
        "/sat/solicitud-afiliacion",
        "/sat/recepcion-traslado-caja",
    }
    again = call("POST", "/admin/services", seed_service(0), username=ADMIN, ministry=True)
    assert again.status == 409 and again.json["code"] == "SERVICE_CODE_TAKEN"
    patched = call(
        "PATCH",
        "/admin/services/solicitud-afiliacion",
        {"state": "INACTIVE", "description": "Consulta de la solicitud"},
        username=ADMIN,
        ministry=True,
        resource="/admin/services/{serviceId}",
        path_parameters={"serviceId": "solicitud-afiliacion"},
    )
    assert patched.status == 200 and patched.json["state"] == "INACTIVE"
    assert patched.json["description"] == "Consulta de la solicitud"
    unknown = call(
        "PATCH",
        "/admin/services/no-existe",
        {"state": "ACTIVE"},
        username=ADMIN,
        ministry=True,
        resource="/admin/services/{serviceId}",
        path_parameters={"serviceId": "no-existe"},
    )
    assert unknown.status == 404 and unknown.json["code"] == "SERVICE_NOT_FOUND"
    assert audit_actions("SERVICE#solicitud-afiliacion") == ["SERVICE_CREATED", "SERVICE_UPDATED"]


def test_invalid_openapi_documents_are_422(aws):
    base = seed_service(1)
    cases = []
    not_openapi = {**base, "code": "X1", "openapi": {"swagger": "2.0", "info": {}, "paths": {}}}
    cases.append((not_openapi, "Debe ser un documento OpenAPI 3"))
    broken = copy.deepcopy(base)
    broken.update(code="X2")
    del broken["openapi"]["info"]["version"]
    cases.append((broken, "no es válido"))
    wrong_operation = {**copy.deepcopy(base), "code": "X3", "operation": "GET"}
    cases.append((wrong_operation, "exactamente una ruta /sat/"))
    for body, message in cases:
        reply = call("POST", "/admin/services", body, username=ADMIN, ministry=True)
        assert reply.status == 422 and reply.json["code"] == "INVALID_OPENAPI", reply.body
        assert reply.json["errors"][0]["field"] == "openapi" and message in reply.json["errors"][0]["message"]
    unknown_field = call("POST", "/admin/services", {**base, "code": "X4", "extra": 1}, username=ADMIN, ministry=True)
    assert unknown_field.status == 422 and unknown_field.json["errors"][0]["field"] == "extra"


def test_assignment_creates_a_client_id_once_and_revocation_removes_it(aws):
    create_services(ADMIN)
    assert assign(ADMIN, NIT, "solicitud-afiliacion").json["code"] == "CCF_NOT_ACTIVE"
    registered_employer(NIT)
    activate(ADMIN, NIT)
    unknown = assign(ADMIN, NIT, "no-existe")
    assert unknown.status == 404 and unknown.json["code"] == "SERVICE_NOT_FOUND"
    first = assign(ADMIN, NIT, "solicitud-afiliacion")
    assert first.status == 201 and first.json["status"] == "ACTIVE"
    client_id = first.json["clientId"]
    idp = boto3.client("cognito-idp")
    described = idp.describe_user_pool_client(UserPoolId=aws["pool"], ClientId=client_id)["UserPoolClient"]
    assert described["ClientName"] == f"ccf-{NIT}-solicitud-afiliacion"
    twice = assign(ADMIN, NIT, "solicitud-afiliacion")
    assert twice.status == 409 and twice.json["code"] == "SERVICE_ALREADY_ASSIGNED"
    assert len(idp.list_user_pool_clients(UserPoolId=aws["pool"], MaxResults=60)["UserPoolClients"]) == 1

    path = {"nit": NIT, "serviceId": "solicitud-afiliacion"}
    resource = "/admin/ccfs/{nit}/services/{serviceId}"
    revoked = call("DELETE", f"/admin/ccfs/{NIT}/services/solicitud-afiliacion", username=ADMIN, ministry=True,
                   resource=resource, path_parameters=path)  # fmt: skip
    assert revoked.status == 204
    assert idp.list_user_pool_clients(UserPoolId=aws["pool"], MaxResults=60)["UserPoolClients"] == []
    gone = call("DELETE", f"/admin/ccfs/{NIT}/services/solicitud-afiliacion", username=ADMIN, ministry=True,
                resource=resource, path_parameters=path)  # fmt: skip
    assert gone.status == 404 and gone.json["code"] == "ASSIGNMENT_NOT_FOUND"
    reassigned = assign(ADMIN, NIT, "solicitud-afiliacion")
    assert reassigned.status == 201 and reassigned.json["clientId"] != client_id
    assert audit_actions(f"CCF#{NIT}") == ["CCF_ACTIVATED", "SERVICE_ASSIGNED", "SERVICE_REVOKED", "SERVICE_ASSIGNED"]


def test_inactive_service_cannot_be_assigned(aws):
    create_services(ADMIN)
    registered_employer(NIT)
    activate(ADMIN, NIT)
    call("PATCH", "/admin/services/recepcion-traslado-caja", {"state": "INACTIVE"}, username=ADMIN, ministry=True,
         resource="/admin/services/{serviceId}", path_parameters={"serviceId": "recepcion-traslado-caja"})  # fmt: skip
    reply = assign(ADMIN, NIT, "recepcion-traslado-caja")
    assert reply.status == 409 and reply.json["code"] == "SERVICE_INACTIVE"


def test_seeded_items_are_what_the_api_writes(aws):
    """local/seed_loader.py writes the same service items as POST /admin/services."""
    from local.seed_loader import service_items
    from tests.integration.catalog_support import SERVICES_SEED

    create_services(ADMIN)
    table = boto3.resource("dynamodb").Table("main-table")
    for seeded in service_items(SERVICES_SEED, "2026-01-01T00:00:00+00:00"):
        stored = table.get_item(Key={"PK": seeded["PK"], "SK": "PROFILE"})["Item"]
        ignore = {"createdAt", "updatedAt"}
        assert {k: v for k, v in stored.items() if k not in ignore} == {
            k: v for k, v in seeded.items() if k not in ignore
        }
