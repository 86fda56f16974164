"""Permission matrix of every route of the CCF services (manual §6, decision 0040): who gets what, in one table.

API Gateway is emulated in-process from the route table (infra/api_routes.py): `person` routes need a
people-pool token (anonymous and CCF system tokens get the gateway's 401), `ccf_system` routes run the
/sat authorizer (people's tokens are not CCF tokens: 401), `public` routes reach the function. Each
request carries a body that is valid for the caller who may make it, so a cell shows authorization,
not validation.
"""

import pytest

from infra.api_routes import ROUTES
from sat_common.ccf_person_access import TERMS_VERSION
from tests.integration.catalog_support import (
    FREE_CCFS,
    GOOD_PASSWORD,
    Reply,
    accept_terms,
    assign,
    authorized_person,
    aws_resources,  # noqa: F401 (the "aws" fixture)
    call,
    call_sat,
    create_services,
    get_token,
    person,
    put_item,
    ready_ccf,
    registered_employer,
    seed_service,
    token_request,
)

ADMIN = "CC-79000004"
NIT, OTHER_NIT, SPARE_NIT = FREE_CCFS
CALLERS = ("anonymous", "other_ccf_person", "before_terms", "after_terms", "delegate", "ministry", "ccf_system")
S = "solicitud-afiliacion"

# route -> expected status per caller, in CALLERS order
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("POST", "/admin/ccfs"): (401, 403, 403, 403, 403, 201, 401),
    ("GET", "/admin/ccfs"): (401, 403, 403, 403, 403, 200, 401),
    ("POST", "/admin/services"): (401, 403, 403, 403, 403, 201, 401),
    ("GET", "/admin/services"): (401, 403, 403, 403, 403, 200, 401),
    ("PATCH", "/admin/services/{serviceId}"): (401, 403, 403, 403, 403, 200, 401),
    ("POST", "/admin/ccfs/{nit}/services"): (401, 403, 403, 403, 403, 201, 401),
    ("DELETE", "/admin/ccfs/{nit}/services/{serviceId}"): (401, 403, 403, 403, 403, 204, 401),
    ("GET", "/ccfs/{nit}/terms"): (401, 404, 200, 200, 404, 404, 401),
    ("POST", "/ccfs/{nit}/terms"): (401, 404, 200, 200, 404, 404, 401),
    ("GET", "/ccfs/{nit}/services"): (401, 404, 403, 200, 404, 404, 401),
    ("GET", "/ccfs/{nit}/services/{serviceId}"): (401, 404, 403, 200, 404, 404, 401),
    ("GET", "/ccfs/{nit}/services/{serviceId}/openapi.json"): (401, 404, 403, 200, 404, 404, 401),
    ("GET", "/ccfs/{nit}/services/{serviceId}/docs"): (401, 404, 403, 200, 404, 404, 401),
    ("PUT", "/ccfs/{nit}/consumer-password"): (401, 404, 403, 204, 404, 404, 401),
    ("POST", "/oauth2/token"): (401, 401, 401, 401, 401, 401, 200),
    ("GET", "/sat/session"): (401, 401, 401, 401, 401, 401, 200),
    # last: the Ministry's cell suspends the CCF (decision 0093)
    ("PATCH", "/admin/ccfs/{nit}"): (401, 403, 403, 403, 403, 200, 401),
}
AUTH = {(route.method, route.path): route.auth for route in ROUTES}


def test_the_matrix_covers_every_catalog_and_token_route():
    ours = {
        (route.method, route.path)
        for route in ROUTES
        if route.function in ("catalog", "oauth")
        # public documents (the RFC 8414 metadata and the access tokens' keys, decision 0100, included)
        and not route.path.startswith(
            ("/health", "/docs", "/openapi.json", "/catalogs", "/.well-known", "/oauth2/jwks")
        )
    }
    assert ours == set(MATRIX)


def _body(method: str, path: str, caller: str) -> object:
    bodies = {
        ("POST", "/admin/ccfs"): {"nit": SPARE_NIT},
        ("POST", "/admin/services"): {**seed_service(2), "code": "NUEVO_SERVICIO"},
        ("PATCH", "/admin/services/{serviceId}"): {"description": "Descripción nueva"},
        ("POST", "/admin/ccfs/{nit}/services"): {"serviceId": "respuesta-tramite-ccf"},
        ("POST", "/ccfs/{nit}/terms"): {
            "version": TERMS_VERSION,
            "decision": "DECLINE" if caller == "before_terms" else "ACCEPT",
        },
        ("PUT", "/ccfs/{nit}/consumer-password"): {"password": GOOD_PASSWORD, "passwordConfirmation": GOOD_PASSWORD},
        ("PATCH", "/admin/ccfs/{nit}"): {"state": "SUSPENDED", "reason": "Prueba de la matriz de permisos"},
    }
    return bodies.get((method, path))


def _request(method: str, template: str, caller: str, who: dict[str, str], ccf_token: str, client_id: str) -> Reply:
    params = {"nit": NIT, "serviceId": S if method != "DELETE" else "recepcion-traslado-caja"}
    path = template.format(**params)
    used = {name: value for name, value in params.items() if "{" + name + "}" in template}
    auth = AUTH[(method, template)]
    if auth == "public":  # the token endpoint: each caller sends the credentials they have
        if caller == "ccf_system":
            return token_request({"grant_type": "client_credentials"}, basic=(client_id, GOOD_PASSWORD))
        headers = {"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"} if caller != "anonymous" else {}
        return token_request({"grant_type": "client_credentials"}, **headers)
    if auth == "ccf_system":
        token = (
            ccf_token
            if caller == "ccf_system"
            else (None if caller == "anonymous" else "eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
        )
        return call_sat(token, method, path)
    if caller in ("anonymous", "ccf_system"):  # the Cognito authorizer refuses them before any function
        return Reply(401, {}, "")
    return call(
        method,
        path,
        _body(method, template, caller),
        username=who[caller],
        ministry=caller == "ministry",
        resource=template,
        path_parameters=used or None,
    )


@pytest.fixture
def world(aws):
    create_services(ADMIN)
    ccf = ready_ccf(NIT, ADMIN, person(30), [S])
    assert assign(ADMIN, NIT, "recepcion-traslado-caja").status == 201  # revoked by the DELETE row
    ready_ccf(OTHER_NIT, ADMIN, person(31), [S])
    registered_employer(SPARE_NIT)  # activated by the POST /admin/ccfs row
    before = person(32)
    authorized_person(before, NIT)
    delegate = person(33)
    put_item(
        {"PK": f"PERSON#{delegate}", "SK": f"ROLE#DELEGADO#{NIT}", "role": "DELEGADO", "nit": NIT, "status": "ACTIVE"}
    )
    who = {
        "other_ccf_person": person(31),
        "before_terms": before,
        "after_terms": ccf.authorized,
        "delegate": delegate,
        "ministry": ADMIN,
    }
    return who, get_token(ccf.services[S], GOOD_PASSWORD), ccf.services[S]


def test_permission_matrix(world):
    who, ccf_token, client_id = world
    got: dict[tuple[str, str], tuple[int, ...]] = {}
    for (method, template), _expected in MATRIX.items():
        got[(method, template)] = tuple(
            _request(method, template, caller, who, ccf_token, client_id).status for caller in CALLERS
        )
    mismatches = {route: (got[route], expected) for route, expected in MATRIX.items() if got[route] != expected}
    assert not mismatches, "\n".join(f"{m} {p}: got {g}, expected {e}" for (m, p), (g, e) in mismatches.items())
    reactivated = call(
        "PATCH",
        f"/admin/ccfs/{NIT}",
        {"state": "ACTIVE", "reason": "Fin de la prueba de la matriz"},
        username=ADMIN,
        ministry=True,
        resource="/admin/ccfs/{nit}",
        path_parameters={"nit": NIT},
    )
    assert reactivated.status == 200, reactivated.body  # the PATCH row suspended it
    # the before-terms person only declined: still blocked afterwards
    assert accept_terms(who["before_terms"], NIT, "DECLINE").json["accepted"] is False
