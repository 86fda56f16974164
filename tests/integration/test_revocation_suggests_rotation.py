"""Revoking a person's CCF authorization suggests an immediate consumer-password rotation (decision 0041): the
204 carries a `Link` to where the password is changed, and the CCF's remaining authorized persons are e-mailed
(the revoked person may know the password; only an authorized person can change it)."""

from __future__ import annotations

from tests.conftest import FakeContext, api_event
from tests.integration.test_delegation_authorizations import PATH, _ready, authorization
from tests.integration.test_delegation_flow import (
    CCF_NIT,
    PORTAL,
    delegation_env,  # noqa: F401 (fixture "env")
    free_person,
    person,
)


def _revoke(env, path: str, user: str) -> dict:
    claims = {"cognito:username": user, "sub": f"sub-{user}"}
    return env.module.lambda_handler(api_event("DELETE", path, claims=claims), FakeContext())


def test_revocation_links_to_the_rotation_and_tells_the_remaining_authorized_persons(env):
    rep, delegate = _ready(env)
    leaving, staying = free_person(26), free_person(27)
    env.register_account(leaving)
    env.register_account(staying)
    created = env.api("POST", PATH, authorization(leaving), user=delegate)[1]
    assert env.api("POST", PATH, authorization(staying), user=delegate)[0] == 201
    env.emails()

    response = _revoke(env, f"{PATH}/{created['authorizationId']}", rep)

    assert response["statusCode"] == 204 and not response.get("body")
    headers = {
        **(response.get("headers") or {}),
        **{k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()},
    }
    assert headers["Link"] == f'<{PORTAL}/ccfs/{CCF_NIT}/servicios>; rel="urn:sat-ccf:rel:rotate-consumer-password"'
    mails = env.emails()
    # to the staying person's own (profile) address, not to the revoked one
    assert [(m["template"], m["to"]) for m in mails] == [("authorization-revoked", person(staying)["email"])]
    data = mails[0]["data"]
    assert set(data) == {"nombre", "razonSocial", "nit", "persona", "enlace"}
    revoked = person(leaving)
    assert data["persona"] == f"{revoked['firstName']} {revoked['firstSurname']}" and data["nit"] == CCF_NIT
    assert data["enlace"] == f"{PORTAL}/ccfs/{CCF_NIT}/servicios"
