"""POST /oauth2/token and the /sat authorizer on moto: grants, RFC 6749 errors, the password overlap window
(controlled clock), throttling, and token scope (service A vs B, CCF X vs Y, revoked assignment)."""

from datetime import timedelta

import boto3
import pytest

from sat_common import ccf_access, clock
from tests.integration.catalog_support import (
    FREE_CCFS,
    GOOD_PASSWORD,
    OTHER_PASSWORD,
    audit_actions,
    authorize,
    aws_resources,  # noqa: F401 (the "aws" fixture)
    call,
    call_sat,
    create_services,
    get_token,
    person,
    ready_ccf,
    set_password,
    token_request,
)

ADMIN = "CC-79000003"
NIT_X, NIT_Y, _ = FREE_CCFS
A, B = "solicitud-afiliacion", "respuesta-tramite-ccf"


@pytest.fixture
def ccf(aws):
    create_services(ADMIN)
    return ready_ccf(NIT_X, ADMIN, person(20), [A, B])


def test_client_credentials_by_basic_and_in_the_body(ccf):
    client_id = ccf.services[A]
    basic = token_request({"grant_type": "client_credentials"}, basic=(client_id, GOOD_PASSWORD))
    assert basic.status == 200, basic.body
    assert basic.json["token_type"] == "Bearer" and basic.json["expires_in"] == 900
    assert basic.headers["Cache-Control"] == "no-store"
    body = token_request({"grant_type": "client_credentials", "client_id": client_id, "client_secret": GOOD_PASSWORD})
    assert body.status == 200
    key_id = boto3.client("kms").list_keys()["Keys"][0]["KeyId"]
    claims = ccf_access.verify_token(key_id, body.json["access_token"], issuer="https://api.example.test")
    assert (claims.nit, claims.service_id, claims.client_id) == (NIT_X, A, client_id)
    assert claims.expires_at - claims.issued_at == 900
    assert "ACCESS_TOKEN_ISSUED" in audit_actions(f"CCF#{NIT_X}")


def test_legacy_password_grant_and_switching_it_off(ccf, monkeypatch):
    form = {"grant_type": "password", "client_id": ccf.services[A], "username": NIT_X, "password": GOOD_PASSWORD}
    assert token_request(form).status == 200
    wrong_user = token_request({**form, "username": NIT_Y})
    assert wrong_user.status == 400 and wrong_user.json == {"error": "invalid_grant"}
    from oauth.config import settings

    monkeypatch.setenv("OAUTH_PASSWORD_GRANT_ENABLED", "false")
    settings.cache_clear()
    off = token_request(form)
    assert off.status == 400 and off.json == {"error": "unsupported_grant_type"}


def test_rfc6749_errors(ccf):
    client_id = ccf.services[A]
    wrong = token_request({"grant_type": "client_credentials"}, basic=(client_id, "no es la clave"))
    assert wrong.status == 401 and wrong.json == {"error": "invalid_client"}
    assert wrong.headers["WWW-Authenticate"].startswith("Basic realm=")
    unknown = token_request({"grant_type": "client_credentials", "client_id": "nope", "client_secret": GOOD_PASSWORD})
    assert unknown.status == 401 and unknown.json == {"error": "invalid_client"}
    assert token_request({"grant_type": "authorization_code"}).json == {"error": "unsupported_grant_type"}
    assert token_request({}).json["error"] == "invalid_request"
    twice = token_request({"grant_type": "client_credentials", "client_id": client_id}, basic=(client_id, "x"))
    assert twice.status == 401  # basic with a client_id in the body that matches: one method, wrong secret
    both = token_request(
        {"grant_type": "client_credentials", "client_secret": GOOD_PASSWORD}, basic=(client_id, GOOD_PASSWORD)
    )
    assert both.status == 400 and both.json["error"] == "invalid_request"
    json_body = token_request({"grant_type": "client_credentials"}, basic=(client_id, GOOD_PASSWORD),
                              **{"Content-Type": "application/json"})  # fmt: skip
    assert json_body.status == 400 and json_body.json["error"] == "invalid_request"


def test_previous_password_works_during_the_overlap_only(ccf):
    client_id = ccf.services[A]
    clock.freeze(clock.now())
    assert set_password(ccf.authorized, NIT_X, OTHER_PASSWORD).status == 204
    assert token_request({"grant_type": "client_credentials"}, basic=(client_id, OTHER_PASSWORD)).status == 200
    assert token_request({"grant_type": "client_credentials"}, basic=(client_id, GOOD_PASSWORD)).status == 200
    clock.advance(timedelta(hours=23, minutes=59))
    assert token_request({"grant_type": "client_credentials"}, basic=(client_id, GOOD_PASSWORD)).status == 200
    clock.advance(timedelta(minutes=2))
    old = token_request({"grant_type": "client_credentials"}, basic=(client_id, GOOD_PASSWORD))
    assert old.status == 401 and old.json["error"] == "invalid_client"
    assert token_request({"grant_type": "client_credentials"}, basic=(client_id, OTHER_PASSWORD)).status == 200


def test_overlap_is_configurable(ccf, monkeypatch):
    from catalog import config

    monkeypatch.setenv("CONSUMER_PASSWORD_OVERLAP_HOURS", "0")
    config.settings.cache_clear()
    config.deps.cache_clear()
    assert set_password(ccf.authorized, NIT_X, OTHER_PASSWORD).status == 204
    old = token_request({"grant_type": "client_credentials"}, basic=(ccf.services[A], GOOD_PASSWORD))
    assert old.status == 401


def test_repeated_failures_lock_the_client_for_a_while(ccf):
    client_id = ccf.services[A]
    clock.freeze(clock.now())
    for _ in range(5):
        assert token_request({"grant_type": "client_credentials"}, basic=(client_id, "mala")).status == 401
    locked = token_request({"grant_type": "client_credentials"}, basic=(client_id, GOOD_PASSWORD))
    assert locked.status == 429 and locked.json["error"] == "slow_down" and int(locked.headers["Retry-After"]) == 900
    assert "TOKEN_CLIENT_LOCKED" in audit_actions(f"CLIENT#{client_id}")
    other_client = token_request({"grant_type": "client_credentials"}, basic=(ccf.services[B], GOOD_PASSWORD))
    assert other_client.status == 200  # throttling is per Client ID
    clock.advance(timedelta(seconds=901))
    assert token_request({"grant_type": "client_credentials"}, basic=(client_id, GOOD_PASSWORD)).status == 200


def test_failures_outside_the_window_do_not_add_up(ccf):
    client_id = ccf.services[A]
    clock.freeze(clock.now())
    for _ in range(4):
        token_request({"grant_type": "client_credentials"}, basic=(client_id, "mala"))
    clock.advance(timedelta(seconds=901))
    for _ in range(4):
        token_request({"grant_type": "client_credentials"}, basic=(client_id, "mala"))
    assert token_request({"grant_type": "client_credentials"}, basic=(client_id, GOOD_PASSWORD)).status == 200


def test_a_token_of_service_a_cannot_call_service_b(ccf):
    token_a = get_token(ccf.services[A], GOOD_PASSWORD)
    assert authorize(token_a, "POST", "/sat/solicitud-afiliacion")["allowed"] is True
    assert authorize(token_a, "POST", "/sat/respuesta-tramite-ccf")["allowed"] is False
    assert authorize(token_a, "POST", "/sat/recepcion-traslado-caja")["allowed"] is False
    assert authorize(token_a, "GET", "/sat/solicitud-afiliacion")["allowed"] is False  # the service's operation only
    session = call_sat(token_a, "GET", "/sat/session")
    assert session.status == 200 and session.json["serviceId"] == A and session.json["ccfNit"] == NIT_X


def test_a_token_of_ccf_x_cannot_act_for_ccf_y(ccf):
    ccf_y = ready_ccf(NIT_Y, ADMIN, person(21), [A], password=OTHER_PASSWORD)
    # CCF X's password does not open CCF Y's Client ID, and the other way round.
    assert token_request({"grant_type": "client_credentials"}, basic=(ccf_y.services[A], GOOD_PASSWORD)).status == 401
    token_x = get_token(ccf.services[A], GOOD_PASSWORD)
    token_y = get_token(ccf_y.services[A], OTHER_PASSWORD)
    assert call_sat(token_x, "GET", "/sat/session").json["ccfNit"] == NIT_X
    assert call_sat(token_y, "GET", "/sat/session").json["ccfNit"] == NIT_Y
    # A token whose claims were edited to name CCF Y fails the signature check.
    header, payload, signature = token_x.split(".")
    import base64
    import json

    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["ccf_nit"] = NIT_Y
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert authorize(f"{header}.{forged_payload}.{signature}", "GET", "/sat/session") is None


def test_revoked_assignment_and_inactive_service_stop_the_token(ccf):
    token_a = get_token(ccf.services[A], GOOD_PASSWORD)
    token_b = get_token(ccf.services[B], GOOD_PASSWORD)
    revoked = call(
        "DELETE",
        f"/admin/ccfs/{NIT_X}/services/{A}",
        username=ADMIN,
        ministry=True,
        resource="/admin/ccfs/{nit}/services/{serviceId}",
        path_parameters={"nit": NIT_X, "serviceId": A},
    )
    assert revoked.status == 204
    assert authorize(token_a, "POST", "/sat/solicitud-afiliacion") is None  # next uncached authorizer call
    assert token_request({"grant_type": "client_credentials"}, basic=(ccf.services[A], GOOD_PASSWORD)).status == 401
    assert authorize(token_b, "POST", "/sat/respuesta-tramite-ccf")["allowed"] is True
    call("PATCH", f"/admin/services/{B}", {"state": "INACTIVE"}, username=ADMIN, ministry=True,
         resource="/admin/services/{serviceId}", path_parameters={"serviceId": B})  # fmt: skip
    assert authorize(token_b, "POST", "/sat/respuesta-tramite-ccf") is None
    assert token_request({"grant_type": "client_credentials"}, basic=(ccf.services[B], GOOD_PASSWORD)).status == 401


def test_expired_and_malformed_tokens_are_401(ccf):
    token_a = get_token(ccf.services[A], GOOD_PASSWORD)
    clock.freeze(clock.now() + timedelta(seconds=901))
    assert authorize(token_a, "GET", "/sat/session") is None
    clock.reset()
    assert authorize("not.a.token", "GET", "/sat/session") is None
    assert authorize("", "GET", "/sat/session") is None
