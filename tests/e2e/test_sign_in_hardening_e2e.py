"""Sign-in hardening over real HTTP against the local runtime (docs/security.md, "Hardening"; decisions 0027-0029).

1. Cognito's public API is no side door: with what a person holds after signing in through the API (the app
   client ID, which is the ID token's `aud`; the ID token; the refresh token) every Cognito call is refused.
2. Failed sign-ins delay their own source only (127.0.0.2 here), never the owner elsewhere (127.0.0.1).
3. Ministry operators: TOTP before tokens; without TOTP their session can only enrol; the group and the
   account state are checked live on /admin, whatever the still valid ID token says.

The people of this module are written straight into the people pool (admin API): what is under test is what
they can do with their credentials, not the registration that gives them.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import httpx
import pyotp
import pytest
from botocore.exceptions import ClientError

from local import journeys

pytestmark = pytest.mark.e2e

PASSWORD = "Una frase larga para entrar 2026"
OTHER_PASSWORD = "Otra frase larga que no es 2026"


@pytest.fixture(scope="module")
def api(local_runtime: dict[str, Any]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as client:
        yield client


@pytest.fixture(scope="module")
def idp(local_runtime: dict[str, Any]) -> Any:
    """Cognito's endpoint as anyone on the internet reaches it (moto here; AWS' public API checks no caller)."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=local_runtime["moto_url"],
        region_name=local_runtime["region"],
        aws_access_key_id="anyone",
        aws_secret_access_key="anyone",
    )


def new_person(local_runtime: dict[str, Any], idp: Any, *, ministry: bool = False) -> dict[str, str]:
    """An account with a password (and the Ministry group), made with the admin API."""
    number = str(80_000_000 + uuid.uuid4().int % 9_000_000)
    username, pool = f"CC-{number}", local_runtime["ministry_login"]["user_pool_id"]
    idp.admin_create_user(
        UserPoolId=pool,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": f"{number}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True)
    if ministry:
        idp.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="ministerio")
    return {"documentType": "CC", "documentNumber": number, "username": username}


def client_id_of(id_token: str) -> str:
    payload = id_token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["aud"])


def refused(call: Callable[..., Any], **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return str(caught.value.response["Error"]["Code"])


def from_source(local_runtime: dict[str, Any], address: str) -> httpx.Client:
    """A client whose connections come from `address` (any 127.0.0.0/8 address is this machine)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT, transport=transport)


# --- 1. Cognito is not a side door (decision 0027) ----------------------------------------------------------


def test_what_a_person_holds_opens_nothing_in_cognito(local_runtime, api, idp):
    someone = new_person(local_runtime, idp)
    session = journeys.sign_in(api, someone, PASSWORD)
    assert "accessToken" not in session  # the API hands out no Cognito access token
    client_id, username = client_id_of(session["idToken"]), someone["username"]
    cognito_refresh = session["refreshToken"].split("~", 1)[1]

    # sign in around the API (its delays, its audit): the public flows are not enabled on the client
    password_flow = {"USERNAME": username, "PASSWORD": PASSWORD}
    assert refused(
        idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=password_flow
    ) == ("InvalidParameterException")
    srp = {"USERNAME": username, "SRP_A": "ab" * 64}
    assert refused(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp) == (
        "InvalidParameterException"
    )
    # the refresh token alone gives no tokens (and so no access token): the client's secret is needed
    refresh = {"REFRESH_TOKEN": cognito_refresh}
    assert refused(idp.initiate_auth, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh) == (
        "NotAuthorizedException"
    )
    # no self-service account or password
    squatted = {"Username": f"CC-{uuid.uuid4().int % 10**9}", "Password": PASSWORD}
    assert refused(idp.sign_up, ClientId=client_id, **squatted) == "NotAuthorizedException"
    assert refused(idp.forgot_password, ClientId=client_id, Username=username) == "NotAuthorizedException"
    reset = {"Username": username, "ConfirmationCode": "123456", "Password": OTHER_PASSWORD}
    assert refused(idp.confirm_forgot_password, ClientId=client_id, **reset) == "NotAuthorizedException"
    # the token a person holds is no access token: Cognito's own user API refuses it
    token = session["idToken"]
    change = {"AccessToken": token, "PreviousPassword": PASSWORD, "ProposedPassword": "corta"}
    assert refused(idp.change_password, **change) == "NotAuthorizedException"
    attributes = {"AccessToken": token, "UserAttributes": [{"Name": "email", "Value": "otro@example.com"}]}
    assert refused(idp.update_user_attributes, **attributes) == "NotAuthorizedException"
    assert refused(idp.global_sign_out, AccessToken=token) == "NotAuthorizedException"

    # nothing changed: the same password still signs in, through the API
    assert journeys.sign_in(api, someone, PASSWORD)["idToken"]
    with pytest.raises(httpx.HTTPStatusError):
        journeys.sign_in(api, someone, OTHER_PASSWORD)


# --- 2. Delays per source, never a lock (decision 0028) -----------------------------------------------------


def test_failed_sign_ins_delay_their_source_and_never_the_owner(local_runtime, idp):
    someone = new_person(local_runtime, idp)
    login = {"documentType": "CC", "documentNumber": someone["documentNumber"]}
    with from_source(local_runtime, "127.0.0.2") as attacker, from_source(local_runtime, "127.0.0.1") as owner:
        for _ in range(5):
            assert attacker.post("/sessions", json={**login, "password": OTHER_PASSWORD}).status_code == 401
        delayed = attacker.post("/sessions", json={**login, "password": PASSWORD})
        assert delayed.status_code == 429, delayed.text
        assert delayed.json()["code"] == "LOGIN_DELAYED" and 0 < int(delayed.headers["Retry-After"]) <= 30
        english = attacker.post("/sessions", json={**login, "password": PASSWORD}, headers={"Accept-Language": "en"})
        assert english.json()["title"] == "Too many attempts"
        signed_in = owner.post("/sessions", json={**login, "password": PASSWORD})
        assert signed_in.status_code == 200 and signed_in.json()["idToken"]
        # the owner's success does not reset the attacker's source
        assert attacker.post("/sessions", json={**login, "password": PASSWORD}).status_code == 429


# --- 3. Ministry operators (decision 0029) -------------------------------------------------------------------


def test_the_seeded_operator_signs_in_with_totp(local_runtime, api):
    login = local_runtime["ministry_login"]
    document_type, document_number = login["usernames"][0].split("-", 1)
    password_only = api.post(
        "/sessions",
        json={"documentType": document_type, "documentNumber": document_number, "password": login["password"]},
    )
    assert password_only.status_code == 200
    assert set(password_only.json()) == {"challenge", "session"}  # no token before the code
    session = journeys.answer_totp(api, password_only.json()["session"], login["totp_secret"])
    assert api.get("/admin/ccfs", headers=journeys.bearer(session)).status_code == 200


def test_an_operator_without_totp_can_only_enrol_and_then_needs_the_code(local_runtime, api, idp):
    operator = new_person(local_runtime, idp, ministry=True)
    session = journeys.sign_in(api, operator, PASSWORD)  # no TOTP yet: tokens, but only to enrol
    headers = journeys.bearer(session)
    review = {"decision": "APPROVE"}
    for method, path, body in (  # the three functions with /admin routes
        ("GET", "/admin/ccfs", None),
        ("GET", "/admin/tramites/0", None),
        ("POST", "/admin/employers/900000001/rut-review", review),
    ):
        refused_admin = api.request(method, path, headers=headers, json=body)
        assert refused_admin.status_code == 403 and refused_admin.json()["code"] == "MFA_REQUIRED", path
    secret = api.post("/me/mfa/totp", headers=headers).json()["secretCode"]
    assert api.put("/me/mfa/totp", json={"code": pyotp.TOTP(secret).now()}, headers=headers).status_code == 204
    assert api.get("/admin/ccfs", headers=headers).status_code == 200  # enrolled: at once
    challenge = api.post(
        "/sessions",
        json={"documentType": "CC", "documentNumber": operator["documentNumber"], "password": PASSWORD},
    ).json()
    assert challenge["challenge"] == "SOFTWARE_TOKEN_MFA" and "idToken" not in challenge


def enrolled_operator(local_runtime, api, idp) -> tuple[dict[str, str], dict[str, str]]:
    """An operator with TOTP on and a fresh session, who has not called /admin yet (nothing remembered)."""
    operator = new_person(local_runtime, idp, ministry=True)
    headers = journeys.bearer(journeys.sign_in(api, operator, PASSWORD))
    secret = api.post("/me/mfa/totp", headers=headers).json()["secretCode"]
    assert api.put("/me/mfa/totp", json={"code": pyotp.TOTP(secret).now()}, headers=headers).status_code == 204
    return operator, journeys.bearer(journeys.sign_in(api, operator, PASSWORD, secret))


def test_a_disabled_operator_or_one_out_of_the_group_is_refused_with_a_still_valid_token(local_runtime, api, idp):
    pool = local_runtime["ministry_login"]["user_pool_id"]
    disabled, disabled_headers = enrolled_operator(local_runtime, api, idp)
    removed, removed_headers = enrolled_operator(local_runtime, api, idp)
    idp.admin_disable_user(UserPoolId=pool, Username=disabled["username"])
    idp.admin_remove_user_from_group(UserPoolId=pool, Username=removed["username"], GroupName="ministerio")
    for headers in (disabled_headers, removed_headers):
        assert api.get("/me", headers=headers).status_code == 200  # the ID token itself is still valid...
        answer = api.get("/admin/ccfs", headers=headers)
        assert answer.status_code == 403 and answer.json()["code"] == "FORBIDDEN"  # ...but /admin asks Cognito
