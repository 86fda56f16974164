"""The token endpoint as a CCF's integration team uses it, over the local runtime (decision 0100).

Real clients get tokens with consumer passwords that have `ñ`, `+`, `%` and spaces: requests-oauthlib
(`BackendApplicationClient`), Authlib (`client_secret_basic`) and `curl -u`, none of which form-encodes Basic
credentials as RFC 6749 §2.3.1 says. A verifier that knows only the RFC 8414 metadata checks a token with PyJWT
against the published JWKS and the metadata's issuer. Every 401 carries its `WWW-Authenticate` challenge.

Seed entities no other test uses: the 17th-from-last free non-CCF company, activated as a CCF (as
tests/e2e/security_world.py does), and FREE["people"][-95] as its authorized person.
"""

import json
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from oauthlib.oauth2 import BackendApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from local import exchange_journey as journey
from local import journeys

pytestmark = pytest.mark.e2e

SEED = journey.seed()
FREE = SEED["scenarios"]["free"]
NIT = [c["nit"] for c in FREE["companies"] if not c["isCcf"]][-17]
AUTHORIZED = FREE["people"][-95]
PERSON_PASSWORD = "una frase larga para la persona de la caja"
SERVICE = "solicitud-afiliacion"
# Consumer passwords a CCF may choose (manual §6 "Asignación de contraseña"): accents, `+`, `%`, spaces.
PASSWORDS = (
    "contraseña de integración muy segura",
    "clave+con+signos+más del sistema caja",
    "cien%por%ciento integrada año 2026",
    "mañana 100%+segura a%2Bb del sistema",
)
BEARER_CHALLENGE = 'Bearer realm="sat-ccf", error="invalid_token"'


@pytest.fixture(scope="module")
def world(local_runtime: dict[str, Any]) -> dict[str, Any]:
    info = local_runtime
    api = httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT)
    ministry = journey.ministry_headers(info)
    person = journey.prepare_ccf_world_directly_in_moto(info, NIT, AUTHORIZED, PERSON_PASSWORD)
    client_ids = journey.activate_and_assign(api, ministry, person, NIT, PASSWORDS[0])
    metadata = api.get("/.well-known/oauth-authorization-server")
    assert metadata.status_code == 200, metadata.text
    world = {"api": api, "person": person, "client_id": client_ids[SERVICE], "metadata": metadata.json()}
    return {**world, "password": PASSWORDS[0]}  # the current consumer password, kept up to date by the tests


def with_requests_oauthlib(token_url: str, client_id: str, secret: str) -> dict[str, Any]:
    session = OAuth2Session(client=BackendApplicationClient(client_id=client_id), scope=[SERVICE])
    token: dict[str, Any] = session.fetch_token(
        token_url=token_url, client_id=client_id, client_secret=secret, auth=HTTPBasicAuth(client_id, secret)
    )
    return token


def with_authlib(token_url: str, client_id: str, secret: str) -> dict[str, Any]:
    session = AuthlibSession(client_id, secret, token_endpoint_auth_method="client_secret_basic")
    token: dict[str, Any] = dict(session.fetch_token(token_url, grant_type="client_credentials"))
    return token


def with_curl(token_url: str, client_id: str, secret: str) -> dict[str, Any]:
    curl = shutil.which("curl")
    assert curl, "curl is not installed"
    done = subprocess.run(
        [curl, "-sS", "--max-time", "120", "-u", f"{client_id}:{secret}", "-d", "grant_type=client_credentials",
         "-w", "\n%{http_code}", token_url],
        capture_output=True, text=True, timeout=180, check=True,
    )  # fmt: skip
    body, _, status = done.stdout.rpartition("\n")
    assert status == "200", f"curl: {status} {body}"
    token: dict[str, Any] = json.loads(body)
    return token


CLIENTS: dict[str, Callable[[str, str, str], dict[str, Any]]] = {
    "requests-oauthlib": with_requests_oauthlib,
    "authlib": with_authlib,
    "curl": with_curl,
}


def test_the_metadata_describes_the_token_endpoint(world: dict[str, Any], local_runtime: dict[str, Any]) -> None:
    metadata = world["metadata"]
    issuer = str(local_runtime["api_url"]).rstrip("/")
    assert metadata["issuer"] == issuer  # the configured API URL (the runtime's, locally)
    assert metadata["token_endpoint"] == f"{issuer}/oauth2/token"
    assert metadata["jwks_uri"] == f"{issuer}/oauth2/jwks.json"
    assert "client_credentials" in metadata["grant_types_supported"]
    assert metadata["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]
    assert metadata["response_types_supported"] == []


@pytest.mark.parametrize("password", PASSWORDS)
def test_oauth_clients_get_tokens_with_any_consumer_password(
    world: dict[str, Any], password: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the local runtime is plain http on 127.0.0.1
    api, client_id = world["api"], world["client_id"]
    body = {"password": password, "passwordConfirmation": password, "immediate": True}
    changed = api.put(f"/ccfs/{NIT}/consumer-password", json=body, headers=world["person"])
    assert changed.status_code == 204, changed.text
    world["password"] = password
    for name, fetch in CLIENTS.items():
        token = fetch(world["metadata"]["token_endpoint"], client_id, password)
        assert token["token_type"].lower() == "bearer" and token["scope"] in (SERVICE, [SERVICE]), name
        session = api.get("/sat/session", headers={"Authorization": f"Bearer {token['access_token']}"})
        assert session.status_code == 200, f"{name}: {session.status_code} {session.text}"
        assert (session.json()["ccfNit"], session.json()["serviceId"]) == (NIT, SERVICE), name
    wrong = httpx.post(
        world["metadata"]["token_endpoint"], data={"grant_type": "client_credentials"},
        auth=(client_id, password + " no"), timeout=journeys.HTTP_TIMEOUT,
    )  # fmt: skip
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


def test_a_token_verifies_with_the_published_keys_and_issuer(world: dict[str, Any]) -> None:
    """What anyone holding only the metadata can do: PyJWT, the JWKS at jwks_uri, the metadata's issuer."""
    api, metadata = world["api"], world["metadata"]
    form = {"grant_type": "client_credentials", "client_id": world["client_id"], "client_secret": world["password"]}
    answer = api.post("/oauth2/token", data=form)
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    jwks = httpx.get(metadata["jwks_uri"], timeout=journeys.HTTP_TIMEOUT).json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(
        token, key.key, algorithms=["RS256"], audience="sat-ccf-services", issuer=metadata["issuer"],
        options={"require": ["iss", "aud", "exp", "iat", "nbf", "jti", "sub"]},
    )  # fmt: skip
    assert claims["iss"] == metadata["issuer"] and claims["ccf_nit"] == NIT and claims["service_id"] == SERVICE
    assert jwks["keys"][0]["use"] == "sig" and jwks["keys"][0]["alg"] == "RS256"
    notification_kids = {k["kid"] for k in api.get("/.well-known/jwks.json").json()["keys"]}
    assert key.key_id not in notification_kids  # each purpose its own key set
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, key.key, algorithms=["RS256"], audience="sat-ccf-services", issuer=metadata["issuer"])


def test_scope_is_echoed_and_another_service_refused(world: dict[str, Any]) -> None:
    api = world["api"]
    form = {"grant_type": "client_credentials", "client_id": world["client_id"], "client_secret": world["password"]}
    granted = api.post("/oauth2/token", data={**form, "scope": SERVICE})
    assert granted.status_code == 200 and granted.json()["scope"] == SERVICE, granted.text
    refused = api.post("/oauth2/token", data={**form, "scope": "recepcion-traslado-caja"})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope", refused.text


def test_every_401_names_its_challenge(world: dict[str, Any]) -> None:
    api = world["api"]
    for path, headers in (
        ("/sat/session", {}),  # CCF systems' routes: the Lambda TOKEN authorizer
        ("/sat/session", {"Authorization": "Bearer no.es.un-token"}),
        ("/me", {}),  # people's routes: the Cognito authorizer
        ("/me", {"Authorization": "Bearer no.es.un-token"}),
    ):
        answer = api.get(path, headers=headers)
        assert answer.status_code == 401, f"{path}: {answer.status_code}"
        assert answer.headers.get("WWW-Authenticate") == BEARER_CHALLENGE, f"{path} {headers}"
        assert answer.headers["Content-Type"].startswith("application/problem+json")
    basic = api.post("/oauth2/token", data={"grant_type": "client_credentials"}, auth=(world["client_id"], "x" * 12))
    post = api.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": world["client_id"], "client_secret": "x" * 12},
    )
    for answer in (basic, post):
        assert answer.status_code == 401 and answer.json() == {"error": "invalid_client"}, answer.text
        assert answer.headers["WWW-Authenticate"] == 'Basic realm="sat-ccf", charset="UTF-8"'
