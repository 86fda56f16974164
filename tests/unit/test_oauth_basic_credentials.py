"""HTTP Basic client credentials at POST /oauth2/token as real OAuth clients send them (decision 0100).

RFC 6749 §2.3.1 form-encodes the Client ID and secret before Basic; requests-oauthlib (through requests) and
Authlib do not, and send ISO-8859-1 bytes; curl sends the raw UTF-8 bytes. The headers here are built by those
libraries' own functions; `authenticate` runs with real scrypt hashes over an in-memory store."""

import base64
from typing import Any
from urllib.parse import quote_plus

import pytest
import requests.auth
from authlib.oauth2.auth import encode_client_secret_basic
from oauth import tokens
from oauth.repository import CcfFacts

from sat_common import ccf_access

CLIENT_ID = "5rp0kq3vtn6b2g8s1hc4d7m9ja"
NIT, SERVICE = "827176340", "solicitud-afiliacion"
COST = 10  # fast; production 15
FORM = "grant_type=client_credentials"
CONTENT_TYPE = "application/x-www-form-urlencoded"
SECRETS = [
    "contraseña de integración segura",
    "clave+con+signos+más del sistema",
    "cien%por%ciento integrada 2026",
    "mañana 100%+segura a%2Bb del sistema",
]


def requests_header(client_id: str, secret: str) -> str:
    """What requests-oauthlib's fetch_token sends: requests' HTTPBasicAuth, ISO-8859-1, not form-encoded."""
    return str(requests.auth._basic_auth_str(client_id, secret))


def authlib_header(client_id: str, secret: str) -> str:
    """What Authlib's client_secret_basic sends."""

    class Client:
        pass

    client = Client()
    client.client_id, client.client_secret = client_id, secret  # type: ignore[attr-defined]
    _, headers, _ = encode_client_secret_basic(client, "POST", "https://x/oauth2/token", {}, "")
    return str(headers["Authorization"])


def curl_header(client_id: str, secret: str) -> str:
    """What `curl -u id:secret` sends: the argument's UTF-8 bytes."""
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def rfc_header(client_id: str, secret: str) -> str:
    """RFC 6749 §2.3.1: form-urlencoded (UTF-8), then Basic."""
    return curl_header(quote_plus(client_id), quote_plus(secret))


CLIENTS = {"requests-oauthlib": requests_header, "authlib": authlib_header, "curl": curl_header, "rfc": rfc_header}


class Store:
    """The reads `authenticate` makes, from a dict: the Client ID lookup, the password item, the assignment."""

    def __init__(self, password: str, previous: str | None = None) -> None:
        current = {**ccf_access.hash_password(password, COST), "revision": 2}
        stored: dict[str, Any] = {"revision": 2, "current": current}
        if previous is not None:
            stored["previous"] = {**ccf_access.hash_password(previous, COST), "revision": 1, "validUntil": 2**40}
        self.items = {
            _k(ccf_access.client_key(CLIENT_ID)): {"nit": NIT, "serviceId": SERVICE},
            _k(ccf_access.password_key(NIT)): stored,
            _k(ccf_access.assignment_key(NIT, SERVICE)): {"status": "ACTIVE", "clientId": CLIENT_ID},
            _k(ccf_access.service_key(SERVICE)): {"state": "ACTIVE"},
        }

    def get(self, key: dict[str, str]) -> dict[str, Any] | None:
        return self.items.get(_k(key))

    def authenticate(self, request: tokens.TokenRequest) -> tuple[str, str, int] | None:
        """`authenticate` over the facts the repository reads for this request's Client ID."""
        lookup = self.get(ccf_access.client_key(request.client_id))
        nit, service = (lookup["nit"], lookup["serviceId"]) if lookup else ("-", "-")
        facts = CcfFacts(
            self.get(ccf_access.password_key(nit)) or {},
            self.get(ccf_access.assignment_key(nit, service)),
            self.get(ccf_access.service_key(service)),
            {},
        )
        return tokens.authenticate(request, lookup, facts, COST)


def _k(key: dict[str, str]) -> tuple[str, str]:
    return key["PK"], key["SK"]


def parse(header: str, body: str = FORM) -> tokens.TokenRequest:
    return tokens.parse(body, header, CONTENT_TYPE)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("secret", SECRETS)
def test_every_client_encoding_authenticates(client: str, secret: str) -> None:
    request = parse(CLIENTS[client](CLIENT_ID, secret))
    assert request.client_id == CLIENT_ID and request.used_basic
    assert Store(secret).authenticate(request) == (NIT, SERVICE, 2), client
    assert Store("otra contraseña del sistema").authenticate(request) is None


def test_the_previous_password_works_in_either_reading() -> None:
    old, new = "clave+vieja 100% del sistema", "clave nueva del sistema"
    for make in CLIENTS.values():
        request = parse(make(CLIENT_ID, old))
        assert Store(new, previous=old).authenticate(request) == (NIT, SERVICE, 1)


def test_two_readings_only_when_form_decoding_changes_the_secret() -> None:
    plain = parse(curl_header(CLIENT_ID, "contraseña de integración segura"))
    assert plain.secret_readings == ("contraseña de integración segura",)
    plus = parse(curl_header(CLIENT_ID, "a+b%2Bc del sistema"))
    assert plus.secret_readings == ("a b+c del sistema", "a+b%2Bc del sistema")  # RFC reading first
    encoded = parse(rfc_header(CLIENT_ID, "a+b"))
    assert encoded.secret_readings == ("a+b", "a%2Bb")
    latin1 = parse(requests_header(CLIENT_ID, "ñandú"))
    assert latin1.secret_readings == ("ñandú",)  # not UTF-8: read as ISO-8859-1


def test_both_readings_cost_the_same_whichever_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    """No early exit: a request runs 2 scrypt checks per reading whatever matched, known client or not."""
    calls: list[str] = []
    real = ccf_access.password_matches

    def counting(password: str, stored: dict[str, Any] | None) -> bool:
        calls.append(password)
        return real(password, stored)

    monkeypatch.setattr(ccf_access, "password_matches", counting)
    secret = "a+b%2Bc del sistema"
    counts = []
    for stored in ("a b+c del sistema", "a+b%2Bc del sistema", "ninguna de las dos lecturas"):
        calls.clear()
        Store(stored).authenticate(parse(curl_header(CLIENT_ID, secret)))
        counts.append(len(calls))
    calls.clear()
    unknown = parse(curl_header("desconocido", secret))
    assert Store(secret).authenticate(unknown) is None
    assert counts == [4, 4, 4] and len(calls) == 4


def test_malformed_basic_is_invalid_client_with_a_challenge() -> None:
    for header in ("Basic no-es-base64!", "Basic " + base64.b64encode(b"sin-dos-puntos").decode()):
        with pytest.raises(tokens.OAuthError) as refused:
            parse(header)
        assert (refused.value.error, refused.value.status) == ("invalid_client", 401)


def test_client_secret_post_is_read_once_as_the_form_says() -> None:
    body = f"{FORM}&client_id={CLIENT_ID}&client_secret={quote_plus('a+b 100%')}"
    request = tokens.parse(body, None, CONTENT_TYPE)
    assert request.secret_readings == ("a+b 100%",) and not request.used_basic


def test_scope_is_the_service_and_nothing_else() -> None:
    header = curl_header(CLIENT_ID, "x" * 12)
    assert parse(header).scope is None
    assert parse(header, f"{FORM}&scope={SERVICE}").scope == SERVICE
    tokens._check_scope(None, SERVICE)
    tokens._check_scope(SERVICE, SERVICE)
    for asked in (f"{SERVICE} admin", "recepcion-traslado-caja"):
        with pytest.raises(tokens.OAuthError) as refused:
            tokens._check_scope(asked, SERVICE)
        assert (refused.value.error, refused.value.status) == ("invalid_scope", 400)
    with pytest.raises(tokens.OAuthError) as malformed:
        parse(header, f"{FORM}&scope=%22quoted%22")  # `"` is not a scope-token character (RFC 6749 §3.3)
    assert malformed.value.error == "invalid_scope"
