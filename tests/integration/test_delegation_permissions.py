"""Permission matrix of every delegation route (manual §5) × every kind of caller, with the expected status per cell.

State: the CCF company is REGISTERED (legal representative + delegate), its CCF role is active, a former
delegate was replaced (revoked), a person is authorized for the CCF; a second company waits for the
Ministry's RUT review. Rights come from stored grants only: another company's objects answer 404, and
/admin routes answer 403 to anyone outside the Ministerio group.
"""

import pytest

from tests.integration.test_delegation_authorizations import authorization
from tests.integration.test_delegation_flow import (
    CCF_NIT,
    DELEGATE,
    INTEGRATION,
    LEGAL_REP,
    MISMATCH_NIT,
    MISMATCH_REP,
    basic_data,
    delegation_env,  # noqa: F401 (fixture "env")
    free_person,
    make_pdf,
    person_data,
    username,
)

ACTORS = ("anonymous", "other", "revoked_delegate", "authorized", "ministry", "delegate", "legal_rep")
E = f"/employers/{CCF_NIT}"

# route -> expected status per actor, in ACTORS order. Allowed callers run last, so a success never
# changes what the callers before it see.
MATRIX: dict[str, tuple[int, ...]] = {
    #                                   anon other revoked auth ministry delegate legal_rep
    "GET /employers/{nit}": (401, 404, 404, 404, 404, 200, 200),
    "GET /employers/{nit}/authorizations": (401, 404, 404, 404, 404, 200, 200),
    "PATCH /employers/{nit}": (401, 404, 404, 404, 404, 200, 200),
    "PUT /employers/{nit}/headquarters": (401, 404, 404, 404, 404, 200, 200),
    "POST /employers/{nit}/rut": (401, 404, 404, 404, 404, 403, 409),  # legal rep only; RUT not required
    "PUT /employers/{nit}/delegate": (401, 404, 404, 404, 404, 403, 200),  # legal rep only
    "POST /employers/{nit}/confirmation": (401, 404, 404, 404, 404, 403, 409),  # legal rep only; confirmed
    "POST /employers": (401, 403, 403, 403, 403, 403, 409),  # legal rep per reference; exists already
    "POST /employers/{nit}/authorizations": (401, 404, 404, 404, 404, 201, 201),
    "DELETE /employers/{nit}/authorizations/{authorizationId}": (401, 404, 404, 404, 404, 204, 204),
    # Ministry only; this company has no RUT in review (409); an approval (200) is in the test below
    "POST /admin/employers/{nit}/rut-review": (401, 403, 403, 403, 409, 403, 403),
    # The review queue (decision 0092): operators only; this company has no RUT file to view (404)
    "GET /admin/employers": (401, 403, 403, 403, 200, 403, 403),
    "GET /admin/employers/{nit}": (401, 403, 403, 403, 200, 403, 403),
    "GET /admin/employers/{nit}/rut": (401, 403, 403, 403, 404, 403, 403),
}


@pytest.fixture(name="world")
def world_fixture(env):
    rep, delegate = env.confirmed_company(CCF_NIT, LEGAL_REP, DELEGATE)
    revoked = username(free_person(26))
    env.register_account(free_person(26))
    # the first delegate is replaced, then the original one named again: free_person(26) is revoked
    assert env.api("PUT", f"{E}/delegate", person_data(free_person(26)), user=rep)[0] == 200
    assert env.api("PUT", f"{E}/delegate", person_data(DELEGATE), user=rep)[0] == 200
    env.activate_ccf(CCF_NIT)
    authorized = username(free_person(27))
    assert env.api("POST", f"{E}/authorizations", authorization(free_person(27)), user=rep)[0] == 201
    ids = {}
    for actor, index in (("delegate", 28), ("legal_rep", 29)):
        ids[actor] = env.api("POST", f"{E}/authorizations", authorization(free_person(index)), user=rep)[1][
            "authorizationId"
        ]
    users = {
        "anonymous": None,
        "other": username(free_person(0)),
        "revoked_delegate": revoked,
        "authorized": authorized,
        "ministry": "CC-1000000001",
        "delegate": delegate,
        "legal_rep": rep,
    }
    return users, ids


def _request(route: str, actor: str, ids: dict[str, str]) -> tuple[str, str, object]:
    method, template = route.split(" ", 1)
    path = template.replace("{nit}", CCF_NIT)
    body: object = None
    if template == "/employers/{nit}/authorizations/{authorizationId}":
        path = path.replace("{authorizationId}", ids.get(actor, "01ARZ3NDEKTSV4RRFFQ69G5FAV"))
    if route == "PATCH /employers/{nit}":
        body = {"employees": 30}
    elif route == "PUT /employers/{nit}/headquarters":
        from tests.integration.test_delegation_flow import HEADQUARTERS

        body = HEADQUARTERS
    elif route == "PUT /employers/{nit}/delegate":
        body = person_data(DELEGATE)
    elif route == "POST /employers":
        body = basic_data(CCF_NIT)
    elif route == "POST /employers/{nit}/authorizations":
        body = authorization(free_person({"delegate": 1, "legal_rep": 2}.get(actor, 3)))
    elif route == "POST /admin/employers/{nit}/rut-review":
        body = {"decision": "APPROVE"}
    return method, path, body


def test_the_matrix_covers_every_route_of_the_area():
    from infra.api_routes import ROUTES

    assert set(MATRIX) == {f"{r.method} {r.path}" for r in ROUTES if r.function == "delegation"}


def test_permission_matrix(env, world):
    users, ids = world
    observed: dict[str, tuple[int, ...]] = {}
    for route in MATRIX:
        statuses = []
        for actor in ACTORS:
            method, path, body = _request(route, actor, ids)
            status, _ = env.api(method, path, body, user=users[actor], ministry=actor == "ministry")
            statuses.append(status)
        observed[route] = tuple(statuses)
    assert observed == MATRIX


def test_the_ministry_reviews_and_nobody_else(env):
    rep = username(MISMATCH_REP)
    _status, body = env.api(
        "POST", "/employers", basic_data(MISMATCH_NIT, businessName=INTEGRATION["mismatchBusinessName"]), user=rep
    )
    env.upload(body["upload"], make_pdf())
    path = f"/admin/employers/{MISMATCH_NIT}/rut-review"
    assert env.api("POST", path, {"decision": "APPROVE"}, user=rep)[0] == 403
    assert env.api("POST", path, {"decision": "APPROVE"})[0] == 401
    assert env.api("POST", path, {"decision": "APPROVE"}, user="CC-1000000001", ministry=True)[0] == 200
