"""Mass assignment (docs/security.md). On every write route with a JSON body, the valid body plus one extra field
(`nit`, `role`, `status`, `ccf`, `clientId`, `isAdmin`; a field the route legitimately takes is skipped there)
is refused with 422 naming that field, and nothing changed: the object (or the list it belongs to) is read back
through the API before and after, or the next valid call proves the state was untouched.

Write routes without a JSON body (POST /employers/{nit}/rut, /confirmation, /verification, /redrive and the
DELETEs) have nothing to inject. POST /oauth2/token is form-encoded: unknown grant parameters must not change
the token's service or CCF (read back with GET /sat/session).

World (tests/e2e/security_world.py), `free` seed entities no other module uses: people
FREE["people"][-115:-110] (the 6th, [-110], is the registration journey's citizen), company X = the
7th-from-last free non-CCF company, Y = the 8th-from-last.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from infra.api_routes import ROUTES
from local import exchange_journey, journeys
from tests.e2e import security_world as sw

pytestmark = pytest.mark.e2e

PEOPLE = sw.FREE["people"][-115:-110]
CITIZEN = sw.FREE["people"][-110]
X_COMPANY, Y_COMPANY = sw.FREE_COMPANIES[-7], sw.FREE_COMPANIES[-8]
EXTRA_NAMES = ("nit", "role", "status", "ccf", "clientId", "isAdmin")
# Write routes with nothing to inject: no request body at all (the token endpoint is form-encoded, tested apart).
NO_JSON_BODY = {
    "POST /employers/{nit}/rut",
    "POST /employers/{nit}/confirmation",
    "POST /ccfs/{nit}/shared-services/{sharedServiceId}/verification",
    "POST /admin/tramites/{numeroTransaccion}/redrive",
    "DELETE /admin/ccfs/{nit}/services/{serviceId}",
    "DELETE /employers/{nit}/authorizations/{authorizationId}",
    "DELETE /ccfs/{nit}/shared-services/{sharedServiceId}",
    "POST /me/mfa/totp",
    "POST /oauth2/token",
    "POST /ccfs/{nit}/shared-services/{sharedServiceId}/test-notification",
    "POST /ccfs/{nit}/tramites/{numeroTransaccion}/redelivery",
    "DELETE /ccfs/{nit}/shared-services/{sharedServiceId}/keys/{kid}",
}
INJECTED: set[str] = set()  # the routes the tests below sent extra fields to


def template_of(method: str, path: str) -> str:
    for route in ROUTES:
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(route.path))
        if route.method == method and re.fullmatch(pattern, path):
            return f"{route.method} {route.path}"
    raise AssertionError(f"{method} {path} is not a route")


def extras(world: sw.World) -> dict[str, Any]:
    return {
        "nit": world.y,
        "role": "MINISTERIO",
        "status": "ACTIVE",
        "ccf": world.y,
        "clientId": world.client_ids["y"][sw.SERVICE_A],
        "isAdmin": True,
    }


def assert_refused(response: httpx.Response, name: str) -> None:
    assert response.status_code == 422, f"{name}: {response.status_code} {response.text[:300]}"
    fields = [error.get("field", "") for error in response.json().get("errors", [])]
    assert any(field == name or field.endswith(f".{name}") for field in fields), f"{name} not named: {fields}"


def inject(
    world: sw.World,
    method: str,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str],
    read_back: Callable[[], Any] | None,
) -> list[str]:
    """Each extra field on its own; returns the fields tried. The read-back is equal before and after."""
    INJECTED.add(template_of(method, path))
    before = read_back() if read_back else None
    tried = []
    for name, value in extras(world).items():
        if name in body:  # a field of the route itself (e.g. POST /admin/ccfs {nit})
            continue
        response = world.api.request(method, path, json={**body, name: value}, headers=headers)
        assert_refused(response, name)
        tried.append(name)
    if read_back:
        assert read_back() == before, f"{method} {path} changed something"
    return tried


@pytest.fixture(scope="module")
def world(local_runtime: dict[str, Any]) -> sw.World:
    built = sw.build_world(local_runtime, PEOPLE, X_COMPANY, Y_COMPANY)
    built.headers["token_c_x"] = sw.system_token(built.api, built.client_ids["x"]["recepcion-traslado-caja"])
    return built


def get(world: sw.World, path: str, caller: str) -> Any:
    response = world.api.get(path, headers=world.headers[caller])
    assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:200]}"
    return response.json()


def without(document: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in keys}


def test_registration_journey_refuses_extra_fields_and_keeps_its_state(world: sw.World) -> None:
    """Each step of "Registro de ciudadano" with extras first, then the same step valid: it still works, so the
    refused call consumed nothing (no registration lock, no attempt, no e-mail, the single-use link intact)."""
    api, mailbox = world.api, journeys.Mailbox(world.info["mailbox_url"])
    someone = journeys.person(CITIZEN)
    inject(world, "POST", "/registrations", journeys.basic_data(someone), {}, None)
    started = sw._ok(api.post("/registrations", json=journeys.basic_data(someone)), 201).json()
    registration = started["registrationId"]
    answers = {"answers": journeys.answers_for(someone, started["questions"])}
    inject(world, "POST", f"/registrations/{registration}/answers", answers, {}, None)
    sw._ok(api.post(f"/registrations/{registration}/answers", json=answers), 200)  # the same questions still hold
    mails = lambda: len(mailbox.messages(someone["email"]))  # noqa: E731
    inject(world, "PUT", f"/registrations/{registration}/contact", journeys.contact_for(someone), {}, mails)
    sw._ok(api.put(f"/registrations/{registration}/contact", json=journeys.contact_for(someone)), 202)
    token = journeys.link_token(mailbox.wait_for(someone["email"], "welcome"))
    password = sw.PERSON_PASSWORD
    setup = {"token": token, "password": password, "passwordConfirmation": password}
    inject(world, "POST", "/password-setup", setup, {}, None)
    sw._ok(api.post("/password-setup", json=setup), 204)  # the single-use link was not consumed by the 422s
    login = {"documentType": someone["documentType"], "documentNumber": someone["documentNumber"], "password": password}
    inject(world, "POST", "/sessions", login, {}, None)
    session = sw._ok(api.post("/sessions", json=login), 200).json()
    inject(world, "POST", "/sessions/refresh", {"refreshToken": session["refreshToken"]}, {}, None)
    roles = get(world, "/me/roles", "person")["roles"]
    assert all(role.get("role") != "MINISTERIO" for role in roles)


def test_ministry_routes(world: sw.World) -> None:
    ministry = world.headers["ministry"]
    ccfs = lambda: get(world, "/admin/ccfs", "ministry")  # noqa: E731
    inject(world, "POST", "/admin/ccfs", {"nit": X_COMPANY["nit"]}, ministry, ccfs)

    services = lambda: get(world, "/admin/services", "ministry")  # noqa: E731
    seeded = journeys.json.loads((journeys.REPO_ROOT / "local/seed/services.json").read_text())["services"][0]
    body = {**without(seeded, "serviceId"), "code": sw.unique("MASIVA_")}
    inject(world, "POST", "/admin/services", body, ministry, services)
    service_id = sw._ok(world.api.post("/admin/services", json=body, headers=ministry), 201).json()["serviceId"]
    inject(world, "PATCH", f"/admin/services/{service_id}", {"description": "Nueva"}, ministry, services)

    catalog = lambda: get(world, f"/ccfs/{world.x}/services", "authorized_x")  # noqa: E731
    assignment = {"serviceId": service_id}
    inject(world, "POST", f"/admin/ccfs/{world.x}/services", assignment, ministry, catalog)

    employer = lambda: get(world, f"/employers/{world.x}", "legal_rep_x")  # noqa: E731
    review = {"decision": "APPROVE"}
    inject(world, "POST", f"/admin/employers/{world.x}/rut-review", review, ministry, employer)


def test_employer_routes(world: sw.World) -> None:
    lr, x = world.headers["legal_rep_x"], world.x
    company = journeys.company(x)
    corporate = f"corporativo-{x}@example.com"
    employer = lambda: get(world, f"/employers/{x}", "legal_rep_x")  # noqa: E731
    inject(world, "POST", "/employers", journeys.employer_data(company), lr, employer)
    inject(world, "PATCH", f"/employers/{x}", {"employees": 300}, lr, employer)
    inject(
        world,
        "PUT",
        f"/employers/{x}/delegate",
        journeys.person_data(world.people["delegate"], corporate),
        lr,
        employer,
    )
    inject(world, "PUT", f"/employers/{x}/headquarters", journeys.headquarters_for(company, corporate), lr, employer)
    listed = lambda: get(world, f"/employers/{x}/authorizations", "legal_rep_x")  # noqa: E731
    body = journeys.authorization_for(world.people["spare"], "sobrante@example.com")
    tried = inject(world, "POST", f"/employers/{x}/authorizations", body, lr, listed)
    assert "role" not in tried  # `role` is a field of the authorization itself


def test_ccf_routes(world: sw.World) -> None:
    authorized, x = world.headers["authorized_x"], world.x
    terms = lambda: get(world, f"/ccfs/{x}/terms", "authorized_x")  # noqa: E731
    version = terms()["version"]
    inject(world, "POST", f"/ccfs/{x}/terms", {"version": version, "decision": "DECLINE"}, authorized, terms)

    new_password = "otra clave de consumo que no debe quedar 2026"
    body = {"password": new_password, "passwordConfirmation": new_password}
    inject(world, "PUT", f"/ccfs/{x}/consumer-password", body, authorized, None)
    sw.system_token(world.api, world.client_ids["x"][sw.SERVICE_A])  # the old password still works
    form = {"grant_type": "client_credentials"}
    refused = world.api.post(
        "/oauth2/token", data=form, headers=journeys.basic_auth(world.client_ids["x"][sw.SERVICE_A], new_password)
    )
    assert refused.status_code == 401

    base = f"/ccfs/{x}/shared-services"
    listed = lambda: get(world, base, "authorized_x")  # noqa: E731
    shared = {
        "name": sw.unique("Masiva"),
        "description": "Servicio",
        "url": "http://127.0.0.1:9/n",
        "operation": "POST",
    }
    inject(world, "POST", base, shared, authorized, listed)
    shared_id = sw._ok(world.api.post(base, json=shared, headers=authorized), 201).json()["sharedServiceId"]
    one = lambda: get(world, f"{base}/{shared_id}", "authorized_x")  # noqa: E731
    inject(world, "PATCH", f"{base}/{shared_id}", {"description": "Cambiada"}, authorized, one)
    oauth = {"tokenName": "Token", "tokenUrl": "http://127.0.0.1:9/token", "clientId": "c", "clientSecret": "s-1"}
    tried = inject(world, "PUT", f"{base}/{shared_id}/oauth", oauth, authorized, one)
    assert "clientId" not in tried  # `clientId` is a field of the OAuth credentials themselves


def test_exchange_routes(world: sw.World) -> None:
    ministry, x = world.headers["ministry"], world.x
    request = exchange_journey.tramite_request(x, world.y, X_COMPANY["legalRepresentative"], "masiva@example.com")
    inject(world, "POST", "/admin/tramites", request, ministry, None)
    numero = sw._ok(world.api.post("/admin/tramites", json=request, headers=ministry), 201).json()["numeroTransaccion"]

    def tramite() -> dict[str, Any]:  # what a refused pull or answer could change (delivery fields move on their own)
        kept = ("numeroTransaccion", "ccfNit", "serialSat", "pulledAt", "answer", "fechaVigencia", "codigoNovedad")
        return {key: value for key, value in get(world, f"/admin/tramites/{numero}", "ministry").items() if key in kept}

    inject(
        world, "POST", "/sat/solicitud-afiliacion", {"numeroTransaccion": numero}, world.headers["token_a_x"], tramite
    )
    full = get(world, f"/admin/tramites/{numero}", "ministry")
    answer = {
        "NumeroTransaccion": numero,
        "TipoDocumentoEmpleador": "NI",
        "NumeroDocumentoEmpleador": world.y,
        "SerialSat": full["serialSat"],
        "ResultadoTramite": 2,
        "MotivoRechazo": "Prueba de asignación masiva",
        "NumeroRadicadoSolicitud": "MASIVA-1",
    }
    inject(world, "POST", "/sat/respuesta-tramite-ccf", answer, world.headers["token_b_x"], tramite)
    assert get(world, f"/admin/tramites/{numero}", "ministry")["answer"] is None
    transfer = {
        "NumeroTransaccion": numero,
        "TipoDocumentoEmpleador": "NI",
        "NumeroDocumentoEmpleador": world.y,
        "NitCajaOrigen": world.y,
        "NitCajaDestino": x,
        "FechaSolicitud": "2026-01-15",
    }
    inject(world, "POST", "/sat/recepcion-traslado-caja", transfer, world.headers["token_c_x"], None)


def test_portal_account_routes_refuse_extra_fields_and_change_nothing(world: sw.World) -> None:
    """The routes the portal needs (decisions 0075-0077): the profile read back is unchanged, the refresh token
    still works after the refused logouts, and no e-mail left for the refused reset or e-mail change."""
    api, mailbox = world.api, journeys.Mailbox(world.info["mailbox_url"])
    someone = journeys.person(PEOPLE[0])  # the world's "person" (no TOTP yet: the second-factor test comes later)
    person = world.headers["person"]
    profile = lambda: get(world, "/me", "person")  # noqa: E731
    document = {"documentType": someone["documentType"], "documentNumber": someone["documentNumber"]}
    sent = lambda: [m for m in mailbox.messages(someone["email"]) if m.get("template", "").endswith("password-reset")]  # noqa: E731
    inject(world, "POST", "/password-reset", document, {}, sent)
    session = journeys.sign_in(api, someone, sw.PERSON_PASSWORD)
    refresh = {"refreshToken": session["refreshToken"]}
    still_valid = lambda: api.post("/sessions/refresh", json=refresh).status_code  # noqa: E731
    inject(world, "POST", "/sessions/logout", refresh, person, still_valid)
    contact = {
        "departmentCode": "11",
        "municipalityCode": "11001",
        "zone": "URBANA",
        "address": "Calle 13 # 7-20",
        "phone": "6013334455",
        "mobile": "3201112233",
    }
    inject(world, "PUT", "/me/contact", contact, person, profile)
    new_address = lambda: len(mailbox.messages("masiva-nuevo@example.com"))  # noqa: E731
    inject(world, "PUT", "/me/email", {"email": "masiva-nuevo@example.com"}, person, new_address)
    inject(world, "POST", "/me/email/confirmation", {"token": "A" * 43}, person, profile)
    inject(world, "PUT", "/me/consents", {"emailConsent": True, "smsConsent": True}, person, profile)


def test_token_endpoint_ignores_unknown_grant_parameters(world: sw.World) -> None:
    api, client_id = world.api, world.client_ids["x"][sw.SERVICE_A]
    credentials = journeys.basic_auth(client_id, sw.CONSUMER_PASSWORD)

    def session_of(form: dict[str, str]) -> dict[str, Any]:
        token = api.post("/oauth2/token", data=form, headers=credentials)
        assert token.status_code == 200, token.text
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return dict(sw._ok(api.get("/sat/session", headers=bearer), 200).json())

    plain = session_of({"grant_type": "client_credentials"})
    assert (plain["serviceId"], plain["ccfNit"]) == (sw.SERVICE_A, world.x)
    hostile = {
        "grant_type": "client_credentials",
        "scope": f"{sw.SERVICE_B} recepcion-traslado-caja admin",
        "nit": world.y,
        "ccf": world.y,
        "ccfNit": world.y,
        "serviceId": sw.SERVICE_B,
        "role": "MINISTERIO",
        "status": "ACTIVE",
        "isAdmin": "true",
        "clientId": world.client_ids["y"][sw.SERVICE_A],
    }
    for name, value in hostile.items():
        if name == "grant_type":
            continue
        form = {"grant_type": "client_credentials", name: value}
        response = api.post("/oauth2/token", data=form, headers=credentials)
        if response.status_code == 200:  # accepted and ignored: the token is still for service A of X
            bearer = {"Authorization": f"Bearer {response.json()['access_token']}"}
            session = sw._ok(api.get("/sat/session", headers=bearer), 200).json()
            assert (session["serviceId"], session["ccfNit"]) == (sw.SERVICE_A, world.x), name
        else:  # or refused the RFC 6749 §5.2 way
            assert response.status_code in (400, 401), f"{name}: {response.status_code} {response.text}"
    # a second client_id in the form (another CCF's) never switches the client
    other = api.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": world.client_ids["y"][sw.SERVICE_A]},
        headers=credentials,
    )
    if other.status_code == 200:
        bearer = {"Authorization": f"Bearer {other.json()['access_token']}"}
        assert sw._ok(api.get("/sat/session", headers=bearer), 200).json()["ccfNit"] == world.x
    else:
        assert other.status_code in (400, 401), other.text


def test_second_factor_routes_refuse_extra_fields_and_consume_nothing(world: sw.World) -> None:
    """POST /sessions/mfa and PUT /me/mfa/totp (decision 0029), each with a right code: the extras are refused,
    then the same valid call works, so neither the challenge nor the code nor the pending enrolment was used.
    (The world's "person" ends with TOTP on; no later step signs that person in again.)"""
    import pyotp

    api, login = world.api, world.info["ministry_login"]
    document_type, document_number = login["usernames"][0].split("-", 1)
    credentials = {"documentType": document_type, "documentNumber": document_number, "password": login["password"]}
    challenge = sw._ok(api.post("/sessions", json=credentials), 200).json()
    code = pyotp.TOTP(login["totp_secret"]).now()
    inject(world, "POST", "/sessions/mfa", {"session": challenge["session"], "code": code}, {}, None)
    assert journeys.answer_totp(api, challenge["session"], login["totp_secret"])["idToken"]
    person = world.headers["person"]
    secret = sw._ok(api.post("/me/mfa/totp", headers=person), 200).json()["secretCode"]
    code = pyotp.TOTP(secret).now()
    inject(world, "PUT", "/me/mfa/totp", {"code": code}, person, None)
    sw._ok(api.put("/me/mfa/totp", json={"code": code}, headers=person), 204)


def test_back_office_and_key_routes(world: sw.World) -> None:
    """The Ministry's back office (operators, help desk, CCF state, bulk redrive) and the CCF's key slots."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    ministry, x = world.headers["ministry"], world.x
    operators = lambda: get(world, "/admin/operators", "ministry")  # noqa: E731
    spare = world.people["spare"]
    invite = {
        "documentType": spare["documentType"],
        "documentNumber": spare["documentNumber"],
        "email": "operador-masivo@example.com",
        "groups": ["ministerio-auditor"],
    }
    inject(world, "POST", "/admin/operators", invite, ministry, operators)
    operator_id = operators()["items"][0]["operatorId"]
    change = {"enabled": True, "reason": "Prueba de asignación masiva"}
    inject(world, "PATCH", f"/admin/operators/{operator_id}", change, ministry, operators)
    unlock = f"/admin/people/{spare['documentType']}/{spare['documentNumber']}/unlock"
    inject(world, "POST", unlock, {"reason": "Prueba de asignación masiva"}, ministry, None)

    def ccf_states() -> list[tuple[Any, ...]]:  # delivery summaries move on their own
        return [
            (c.get("nit"), c.get("state"), c.get("stateReason")) for c in get(world, "/admin/ccfs", "ministry")["items"]
        ]

    state = {"state": "ACTIVE", "reason": "Prueba de asignación masiva"}
    inject(world, "PATCH", f"/admin/ccfs/{x}", state, ministry, ccf_states)
    inject(world, "POST", "/admin/tramites/redrive", {"ccfNit": x, "state": "FALLIDA"}, ministry, None)

    base = f"/ccfs/{x}/shared-services"
    authorized = world.headers["authorized_x"]
    shared = {
        "name": sw.unique("Llaves"),
        "description": "Servicio",
        "url": "http://127.0.0.1:9/n",
        "operation": "POST",
    }
    shared_id = sw._ok(world.api.post(base, json=shared, headers=authorized), 201).json()["sharedServiceId"]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    one = lambda: get(world, f"{base}/{shared_id}", "authorized_x")  # noqa: E731
    inject(world, "POST", f"{base}/{shared_id}/keys", {"publicKey": pem}, authorized, one)


def test_every_write_route_with_a_json_body_was_covered() -> None:
    """Runs last (file order): fails when a write route is added without an injection above."""
    if not INJECTED:
        pytest.skip("the injection tests above did not run (run the whole module)")
    writes = {f"{route.method} {route.path}" for route in ROUTES if route.method != "GET"}
    assert writes - NO_JSON_BODY == INJECTED
